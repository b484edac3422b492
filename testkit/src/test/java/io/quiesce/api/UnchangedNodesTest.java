package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An update whose old object passed the same checks: the nodes that did not change are not checked
 * again (their rules read only the node), every changed node is, and rules with {@code oldSelf} are
 * evaluated everywhere.
 */
class UnchangedNodesTest {
  private static final CrdSchema SCHEMA =
      CrdSchema.of(
          Json.readYaml(
              """
              type: object
              properties:
                spec:
                  type: object
                  x-kubernetes-validations:
                  - rule: "self.name != 'bad'"
                  properties:
                    name: {type: string}
                    tags:
                      type: array
                      x-kubernetes-list-type: set
                      items: {type: string}
                    moved:
                      type: string
                      x-kubernetes-validations:
                      - rule: "self != oldSelf"
                        message: must change on every update
                status:
                  type: object
                  properties:
                    count: {type: integer, minimum: 0}
              """));

  private static JsonNode object(String yaml) {
    return Json.readYaml(yaml);
  }

  @Test
  void anUnchangedNodeIsCheckedAgainUnlessTheOldObjectPassed() {
    JsonNode old = object("{spec: {name: bad, tags: [a, a]}, status: {count: 0}}");
    JsonNode next = object("{spec: {name: bad, tags: [a, a]}, status: {count: 1}}");

    assertThat(SCHEMA.violations(next, old, false))
        .extracting(Violation::path)
        .containsExactlyInAnyOrder("spec", "spec.tags[1]");
    assertThat(SCHEMA.violations(next, old, true)).isEmpty();
  }

  @Test
  void aChangedNodeIsCheckedThoughTheOldObjectPassed() {
    JsonNode old = object("{spec: {name: good, tags: [a]}, status: {count: 0}}");
    JsonNode next = object("{spec: {name: bad, tags: [a, a]}, status: {count: -1}}");

    assertThat(SCHEMA.violations(next, old, true))
        .extracting(Violation::path)
        .containsExactlyInAnyOrder("status.count", "spec", "spec.tags[1]");
  }

  @Test
  void aRuleWithOldSelfIsEvaluatedBelowAnUnchangedNode() {
    JsonNode old = object("{spec: {name: good, moved: x}, status: {count: 0}}");
    JsonNode next = object("{spec: {name: good, moved: x}, status: {count: 1}}");

    assertThat(SCHEMA.violations(next, old, true))
        .extracting(Violation::path, Violation::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("spec.moved", "rule: must change on every update"));
  }

  /**
   * The transition rules skipped on unchanged nodes are those true for equal values; a rule that
   * can be false or fail then (a field it reads may be absent) is still evaluated.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "self == oldSelf",
        " oldSelf==self",
        "!has(oldSelf.uid) || has(self.uid)",
        "!has(oldSelf.uid) || (has(self.uid) && self.uid == oldSelf.uid)"
      })
  void transitionRulesTrueForEqualValuesAreSkippedOnUnchangedNodes(String rule) {
    CelRules.Compiled compiled = CelRules.compile(rule);

    assertThat(compiled.trueWhenUnchanged()).isTrue();
    for (Object value :
        List.<Object>of(Map.of(), Map.of("uid", "a"), Map.of("uid", "a", "other", 1L))) {
      assertThat(compiled.evaluate(value, value)).as("%s", value).isEqualTo(true);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "self != oldSelf",
        "self.name == oldSelf.name",
        "!has(oldSelf.uid) || has(self.other)",
        "self == oldSelf || self.x"
      })
  void otherTransitionRulesAreEvaluated(String rule) {
    assertThat(CelRules.compile(rule).trueWhenUnchanged()).isFalse();
  }

  @Test
  void aChangedFieldIsStillPrunedAndDefaultedThoughTheOldObjectPassed() {
    CrdSchema schema =
        CrdSchema.of(
            Json.readYaml(
                """
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      mode: {type: string, default: fast}
                  status:
                    type: object
                    properties:
                      count: {type: integer, default: 0}
                """));
    com.fasterxml.jackson.databind.node.ObjectNode old =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            object("{spec: {mode: slow}, status: {count: 1}}");
    com.fasterxml.jackson.databind.node.ObjectNode next =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            object("{spec: {mode: slow}, status: {unknown: x}}");

    assertThat(schema.prune(next, old)).containsExactly("status.unknown");
    schema.applyDefaults(next, old);

    assertThat(next).isEqualTo(object("{spec: {mode: slow}, status: {count: 0}}"));
    // an unchanged field is not walked again (this old object never passed: it shows the skip)
    com.fasterxml.jackson.databind.node.ObjectNode unpruned =
        (com.fasterxml.jackson.databind.node.ObjectNode) object("{spec: {junk: 1}}");
    assertThat(schema.prune(unpruned.deepCopy(), unpruned)).isEmpty();
    assertThat(schema.prune(unpruned.deepCopy(), null)).containsExactly("spec.junk");
  }
}
