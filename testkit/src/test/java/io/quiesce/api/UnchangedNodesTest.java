package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

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
}
