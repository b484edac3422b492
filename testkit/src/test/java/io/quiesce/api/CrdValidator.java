package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for the API server's handling of a create or update of a quiesce.io resource, as far as
 * the CRD decides it: defaulting, then schema validation, then list types and CEL rules (skipped,
 * as by the API server, when the object has type or enum errors).
 */
final class CrdValidator {
  private static final Map<String, JsonSchemaCheck> SCHEMA_CHECKS = new ConcurrentHashMap<>();

  private CrdValidator() {}

  /** The violations of creating {@code object}. */
  static List<Violation> create(JsonNode object) {
    return validate(object, null);
  }

  /** The violations of replacing {@code oldObject} by {@code newObject}. */
  static List<Violation> update(JsonNode oldObject, JsonNode newObject) {
    return validate(newObject, oldObject);
  }

  /** {@code object} with its schema defaults applied (a copy). */
  static JsonNode defaulted(JsonNode object) {
    JsonNode copy = object.deepCopy();
    StructuralDefaulting.apply(copy, schemaOf(object));
    return copy;
  }

  private static List<Violation> validate(JsonNode object, JsonNode oldObject) {
    JsonNode schema = schemaOf(object);
    JsonNode value = defaulted(object);
    JsonNode oldValue = oldObject == null ? null : defaulted(oldObject);
    String kind = object.path("kind").asText();
    JsonSchemaCheck.Outcome outcome =
        SCHEMA_CHECKS.computeIfAbsent(kind, k -> new JsonSchemaCheck(schema)).check(value);
    List<Violation> violations = new ArrayList<>(outcome.violations());
    if (!outcome.blocksRules()) {
      violations.addAll(CelRuleWalker.check(schema, value, oldValue));
    }
    return violations;
  }

  private static JsonNode schemaOf(JsonNode object) {
    return GeneratedCrds.schema(GeneratedCrds.byKind(object.path("kind").asText()));
  }
}
