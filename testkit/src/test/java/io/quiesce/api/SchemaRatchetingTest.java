package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * JSON Schema validation of an update whose old object passed: only the changed subtrees are
 * validated, and the violations are exactly those of validating the whole object (paths and
 * messages), at every depth and for the keywords of an object or a list itself.
 */
class SchemaRatchetingTest {
  private static final JsonSchemaCheck CHECK =
      new JsonSchemaCheck(
          Json.readYaml(
              """
              type: object
              properties:
                spec:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string, pattern: '^[a-z]+$'}
                    size: {x-kubernetes-int-or-string: true}
                    mode: {type: string, enum: [A, B]}
                    tags:
                      type: object
                      properties:
                        a: {type: string}
                    items:
                      type: array
                      maxItems: 3
                      items:
                        type: object
                        properties:
                          at: {type: string, format: date-time}
                status:
                  type: object
                  properties:
                    count: {type: integer, minimum: 0}
                    nested:
                      type: object
                      maxProperties: 2
                      properties:
                        a: {type: string}
                        b: {type: string}
                        c: {type: string}
              """));

  private static final JsonNode OLD =
      Json.readYaml(
          "{apiVersion: v, kind: K, metadata: {name: x}, spec: {name: ok, size: 1, mode: A,"
              + " tags: {a: x}, items: [{at: '2026-01-01T00:00:00Z'}]},"
              + " status: {count: 0, nested: {a: x}}}");

  @Test
  void theOldObjectPasses() {
    assertThat(CHECK.check(OLD).violations()).isEmpty();
  }

  @Test
  void anUnchangedObjectIsNotValidatedAgain() {
    // a violation in an object that did not change is not found again: it was found before
    JsonNode old = Json.readYaml("{spec: {name: BAD}, status: {count: 0}}");
    JsonNode next = Json.readYaml("{spec: {name: BAD}, status: {count: 1}}");

    assertThat(CHECK.check(next).violations()).extracting(Violation::path).contains("spec.name");
    assertThat(CHECK.check(next, old).violations()).isEmpty();
  }

  @Test
  void eachChangeIsFoundAsAFullCheckFindsIt() {
    for (String change :
        new String[] {
          "{spec: {name: ok, size: 1, mode: A, items: [{at: '2026-01-01T00:00:00Z'}]},"
              + " status: {count: -1, nested: {a: x}}}",
          "{spec: {size: 1, mode: A, items: [{at: '2026-01-01T00:00:00Z'}]},"
              + " status: {count: 0, nested: {a: x}}}",
          "{spec: {name: Bad, size: [], mode: C, items: [{at: nope}]},"
              + " status: {count: 0, nested: {a: x}}}",
          "{spec: {name: ok, size: 1, mode: A, items: [{at: '2026-01-01T00:00:00Z'}], extra: 1},"
              + " status: {count: 0, nested: {a: x, b: y, c: z}}}",
          "{spec: {name: ok, size: 1, mode: A, items: [{at: '2026-01-01T00:00:00Z'}]},"
              + " status: {count: '1', nested: {a: 1}}, other: 1}",
          "{spec: {name: ok, size: 1, mode: A, items: [{at: '2026-01-01T00:00:00Z'}]},"
              + " status: []}",
          "{metadata: {name: Not_A_Name}}",
          // the unchanged tags and first item make these lists checked item by item
          "{spec: {name: ok, size: 1, mode: A, tags: {a: x}, items: [{at: '2026-01-01T00:00:00Z'},"
              + " {at: x}, {at: '2026-01-01T00:00:00Z'}, {at: 1}]}}",
          "{spec: {name: ok, size: 1, mode: A, tags: {a: x}, items: [{at: '2026-01-01T00:00:00Z'},"
              + " {at: y, other: 1}]}}",
          "{spec: {name: ok, size: 1, mode: A, items: [{at: y, other: 1}]}}",
        }) {
      JsonNode next = OLD.deepCopy();
      ((com.fasterxml.jackson.databind.node.ObjectNode) next)
          .setAll((com.fasterxml.jackson.databind.node.ObjectNode) Json.readYaml(change));
      JsonSchemaCheck.Outcome full = CHECK.check(next);
      JsonSchemaCheck.Outcome ratcheted = CHECK.check(next, OLD);

      assertThat(full.violations()).as(change).isNotEmpty();
      assertThat(ratcheted.violations())
          .as(change)
          .containsExactlyInAnyOrderElementsOf(full.violations());
      assertThat(ratcheted.blocksRules()).as(change).isEqualTo(full.blocksRules());
    }
  }
}
