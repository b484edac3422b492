package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ValidityProof} says that a value passes only when networknt finds no violation, asks
 * networknt only where its own checks cannot tell, and takes an unchanged (identical) node of an
 * old object that passed as passing, as validation ratcheting does; {@link JsonSchemaCheck} still
 * reports every violation as networknt words it.
 */
class ValidityProofTest {
  private static final JsonNode OPEN_API =
      Json.readYaml(
          """
          type: object
          properties:
            spec:
              type: object
              required: [name]
              maxProperties: 6
              properties:
                name: {type: string, pattern: '^[a-z]+$', maxLength: 8, minLength: 2}
                size: {x-kubernetes-int-or-string: true}
                mode: {type: string, enum: [A, B]}
                count: {type: integer, format: int32, minimum: 0, maximum: 10}
                labels: {type: object, additionalProperties: {type: string}}
                items:
                  type: array
                  maxItems: 2
                  items:
                    type: object
                    properties:
                      at: {type: string, format: date-time}
                      note: {type: string, nullable: true}
            status:
              type: object
              properties:
                phase: {type: string, enum: [Pending, Done]}
                message: {type: string, maxLength: 4}
          """);

  private static final JsonNode CONVERTED = OpenApiToJsonSchema.convert(OPEN_API);
  private static final JsonSchemaCheck FULL = new JsonSchemaCheck(OPEN_API);

  private final ValidityProof proof = new ValidityProof(CONVERTED, FULL::networkntPasses);

  private static final String VALID =
      "{apiVersion: v, kind: K, metadata: {name: x, labels: {a: b}},"
          + " spec: {name: ok, size: '10%', mode: A, count: 3, labels: {x: y},"
          + " items: [{at: '2026-01-01T00:00:00Z', note: null}]}, status: {phase: Done}}";

  @Test
  void aValidObjectPassesAskingNetworkntOnlyForItsFormats() {
    List<JsonNode> asked = new ArrayList<>();
    ValidityProof counting =
        new ValidityProof(
            CONVERTED,
            (schema, value) -> {
              asked.add(value);
              return value.isTextual() && value.textValue().equals("2026-01-01T00:00:00Z");
            });

    assertThat(counting.passes(Json.readYaml(VALID), null)).isTrue();
    assertThat(asked).extracting(JsonNode::asText).containsExactly("2026-01-01T00:00:00Z");
  }

  @Test
  void validVariantsPass() {
    for (String change :
        new String[] {
          "{}",
          "{spec: {name: ok, size: 5, count: 0, items: []}}",
          "{spec: {name: ok, items: [{note: x}, {at: '2026-12-07T01:02:03.456+01:00'}]}}",
          "{spec: {name: okay, labels: {}}, status: {message: 'ab'}}",
          "{metadata: {name: a.b-c, other: [1]}}",
        }) {
      ObjectNode value = (ObjectNode) Json.readYaml(VALID);
      value.setAll((ObjectNode) Json.readYaml(change));
      assertThat(FULL.check(value).violations()).as(change).isEmpty();

      assertThat(proof.passes(value, null)).as(change).isTrue();
    }
  }

  @Test
  void everyInvalidValueFailsAsNetworkntFindsIt() {
    for (String change :
        new String[] {
          "{spec: {name: ok, mode: C}}",
          "{spec: {name: NO}}",
          "{spec: {name: toolongname}}",
          "{spec: {name: a}}",
          "{spec: {mode: A}}",
          "{spec: {name: ok, count: 11}}",
          "{spec: {name: ok, count: -1}}",
          "{spec: {name: ok, count: 1.5}}",
          "{spec: {name: ok, count: 3000000000}}",
          "{spec: {name: ok, size: [1]}}",
          "{spec: {name: ok, labels: {x: 1}}}",
          "{spec: {name: ok, items: [{}, {}, {}]}}",
          "{spec: {name: ok, items: [{at: yesterday}]}}",
          "{spec: {name: ok, items: [{other: 1}]}}",
          "{spec: {name: ok, a: 1, b: 2, c: 3, d: 4, e: 5}}",
          "{spec: {name: ok, unknown: 1}}",
          "{status: {phase: Pending, message: toolong}}",
          "{status: {phase: null}}",
          "{status: []}",
          "{metadata: {name: Not_A_Name}}",
          "{other: 1}",
        }) {
      ObjectNode value = (ObjectNode) Json.readYaml(VALID);
      value.setAll((ObjectNode) Json.readYaml(change));
      assertThat(FULL.check(value).violations()).as(change).isNotEmpty();

      assertThat(proof.passes(value, null)).as(change).isFalse();
    }
  }

  @Test
  void anUnchangedInvalidNodeStillPassesAndAChangedOneIsChecked() {
    // an object stored before its schema refused "BAD" (as kube-apiserver's ratcheting allows)
    ObjectNode old = (ObjectNode) Json.readYaml("{spec: {name: BAD}, status: {phase: Pending}}");
    ObjectNode statusWrite = old.objectNode();
    statusWrite.set("spec", old.get("spec")); // shared, as a merge patch of status shares it
    statusWrite.set("status", Json.readYaml("{phase: Done}"));

    assertThat(proof.passes(statusWrite, old)).isTrue();
    assertThat(FULL.check(statusWrite, old).violations()).isEmpty();
    assertThat(FULL.check(statusWrite).violations())
        .extracting(Violation::path)
        .containsExactly("spec.name");

    // the same value, changed: checked (here it breaks status too)
    ObjectNode changed = statusWrite.deepCopy();
    changed.set("status", Json.readYaml("{phase: Bogus}"));
    assertThat(proof.passes(changed, old)).isFalse();
    assertThat(FULL.check(changed, old).violations())
        .extracting(Violation::path)
        .containsExactly("status.phase");

    // a write that changes the invalid value itself is checked, however little it changes
    ObjectNode renamed = statusWrite.deepCopy();
    ((ObjectNode) renamed.get("spec")).put("name", "BAD2");
    assertThat(proof.passes(renamed, old)).isFalse();
    assertThat(FULL.check(renamed, old).violations())
        .extracting(Violation::path)
        .containsExactly("spec.name");
  }
}
