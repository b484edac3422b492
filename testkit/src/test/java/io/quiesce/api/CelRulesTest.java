package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import io.quiesce.api.schema.Patterns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules themselves: they compile, select only fields their node has, run on values whose size
 * the API server can bound (its CEL cost estimate refuses CRDs that do not), and the duration guard
 * never lets {@code duration()} see a string it cannot parse.
 */
class CelRulesTest {
  private record Located(String path, JsonNode schema, String rule) {}

  private static List<Located> rules() {
    List<Located> rules = new ArrayList<>();
    for (JsonNode crd : GeneratedCrds.all()) {
      String kind = crd.at("/spec/names/kind").asText();
      SchemaWalk.visit(
          GeneratedCrds.schema(crd),
          kind,
          (path, node) ->
              node.path("x-kubernetes-validations")
                  .forEach(rule -> rules.add(new Located(path, node, rule.path("rule").asText()))));
    }
    return rules;
  }

  @Test
  void everyRuleCompilesAndSelectsOnlyFieldsOfItsNode() {
    List<Located> rules = rules();
    assertThat(rules).as("rules in both CRDs").hasSizeGreaterThanOrEqualTo(10);
    for (Located located : rules) {
      assertThat(CelRules.unknownFields(located.rule(), located.schema()))
          .as("%s: %s", located.path(), located.rule())
          .isEmpty();
    }
  }

  @Test
  void fieldCheckFindsAMisspeltField() {
    JsonNode schema = Json.readYaml("{type: object, properties: {mode: {type: string}}}");
    assertThat(CelRules.unknownFields("has(self.mdoe) && self.mode == 'Skip'", schema))
        .containsExactly("mdoe");
  }

  @Test
  void transitionRulesAreRecognised() {
    assertThat(CelRules.compile("self == oldSelf").transition()).isTrue();
    assertThat(CelRules.compile("self.size() > 0").transition()).isFalse();
  }

  @Test
  void rulesRunOnBoundedValues() {
    for (Located located : rules()) {
      JsonNode node = located.schema();
      String type = node.path("type").asText();
      String what = located.path() + ": " + located.rule();
      if (type.equals("string")) {
        assertThat(node.has("maxLength")).as("maxLength for %s", what).isTrue();
      } else if (type.equals("array")) {
        assertThat(node.has("maxItems")).as("maxItems for %s", what).isTrue();
      } else if (node.has("additionalProperties")) {
        assertThat(node.has("maxProperties")).as("maxProperties for %s", what).isTrue();
      }
    }
  }

  /**
   * Whatever the pattern and maxLength accept, duration() parses, up to the largest sum of hours
   * that fits: the guard never lets an evaluation error through.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "5s",
        "1500ms",
        "1h30m",
        "1.5s",
        "100ms",
        "24h",
        "1m30s",
        "250us",
        "10ns",
        "0.5h",
        "8760h",
        "999999h999999h9h",
        "999999.999999h"
      })
  void durationsThePatternAcceptsAreParsedByCel(String value) {
    assertThat(value.length()).isLessThanOrEqualTo(Patterns.GO_DURATION_MAX_LENGTH);
    assertThat(Pattern.compile(Patterns.GO_DURATION).matcher(value).find())
        .as("pattern accepts " + value)
        .isTrue();
    assertThat(CelRules.compile("duration(self) >= duration('0s')").evaluate(value, null))
        .isEqualTo(true);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "5 seconds",
        "30d",
        "5",
        "",
        "-5s",
        "1h 30m",
        "5S",
        "1.s",
        "2562048h",
        "9999999999h"
      })
  void malformedDurationsPassTheGuardedRuleForThePatternToReport(String value) {
    assertThat(Pattern.compile(Patterns.GO_DURATION).matcher(value).find())
        .as("pattern refuses " + value)
        .isFalse();
    String guarded = Patterns.IF_WELL_FORMED_DURATION + "duration(self) <= duration('30s')";
    assertThat(CelRules.compile(guarded).evaluate(value, null)).isEqualTo(true);
  }

  @Test
  void everyKubernetesExtensionInTheSchemasIsHandled() {
    List<String> used = new ArrayList<>();
    for (JsonNode crd : GeneratedCrds.all()) {
      SchemaWalk.visit(
          GeneratedCrds.schema(crd),
          "",
          (path, node) ->
              node.fieldNames()
                  .forEachRemaining(
                      key -> {
                        if (key.startsWith("x-kubernetes-")) {
                          used.add(key);
                        }
                      }));
    }
    assertThat(used).isNotEmpty();
    assertThat(OpenApiToJsonSchema.handledKubernetesExtensions()).containsAll(used);
  }

  @Test
  void ruleErrorsNameTheRuleAsTheApiServerDoes() {
    Object result = CelRules.compile("self.x == 1").evaluate(Map.of("y", 1L), null);
    assertThat(result).asString().endsWith("evaluating rule: self.x == 1");
  }
}
