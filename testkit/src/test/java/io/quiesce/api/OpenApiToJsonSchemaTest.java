package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Kubernetes extensions the generated CRDs do not all use yet are translated right as well. */
class OpenApiToJsonSchemaTest {
  private static final JsonSchemaCheck CHECK =
      new JsonSchemaCheck(
          Json.readYaml(
              """
            type: object
            properties:
              spec:
                type: object
                properties:
                  size: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                  note: {type: string, nullable: true}
                  free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  name: {type: string, pattern: '^[a-z]+$'}
            """));

  private static List<Violation> violations(String spec) {
    JsonNode object =
        Json.readYaml("{apiVersion: v1, kind: K, metadata: {name: k}, spec: " + spec + "}");
    return CHECK.check(object).violations();
  }

  @Test
  void intOrStringTakesEitherButNothingElse() {
    assertThat(violations("{size: 5}")).isEmpty();
    assertThat(violations("{size: 5Gi}")).isEmpty();
    assertThat(violations("{size: true}")).isNotEmpty().allMatch(v -> v.path().equals("spec.size"));
  }

  @Test
  void nullableAllowsNullAndOnlyThere() {
    assertThat(violations("{note: null}")).isEmpty();
    assertThat(violations("{name: null}")).extracting(Violation::path).containsExactly("spec.name");
  }

  @Test
  void unknownFieldsAreRefusedUnlessPreserved() {
    assertThat(violations("{free: {anything: [1, 2]}}")).isEmpty();
    assertThat(violations("{other: 1}"))
        .extracting(Violation::toString)
        .singleElement()
        .asString()
        .startsWith("spec.other: additionalProperties");
  }

  @Test
  void patternsApply() {
    assertThat(violations("{name: abc}")).isEmpty();
    assertThat(violations("{name: Abc}")).extracting(Violation::path).containsExactly("spec.name");
  }

  /**
   * Go's regular expressions have no lookahead; neither has RE2J, so such a pattern fails here too.
   */
  @Test
  void aPatternGoCannotCompileFailsHereToo() {
    assertThatThrownBy(
            () ->
                new JsonSchemaCheck(
                        Json.readYaml(
                            """
                type: object
                properties: {spec: {type: string, pattern: '^(?=a)'}}
                """))
                    .check(
                        Json.readYaml("{apiVersion: v1, kind: K, metadata: {name: k}, spec: abc}")))
        .hasStackTraceContaining("PatternSyntaxException");
  }

  @Test
  void metadataNameMustBeADnsSubdomain() {
    JsonNode object =
        Json.readYaml("{apiVersion: v1, kind: K, metadata: {name: Not_A_Name}, spec: {}}");
    assertThat(CHECK.check(object).violations())
        .extracting(Violation::path)
        .containsExactly("metadata.name");
  }
}
