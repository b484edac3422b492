package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks the API server makes of a custom resource against its CRD version's {@code
 * openAPIV3Schema}, for the test kit's API server: pruning of unknown fields, defaulting, then
 * schema validation (networknt, {@link JsonSchemaCheck}) and list types and CEL rules ({@link
 * CelRuleWalker}, skipped after type or enum errors as by the API server). The compiled schema is
 * built once per instance (the CEL programs are cached by rule text): keep one per CRD version.
 */
public final class CrdSchema {
  private final JsonNode openApiSchema;
  private final JsonSchemaCheck check;
  private final Set<JsonNode> transitionRulesBelow;

  private CrdSchema(JsonNode openApiSchema) {
    this.openApiSchema = openApiSchema;
    this.check = new JsonSchemaCheck(openApiSchema);
    compileRules(openApiSchema);
    this.transitionRulesBelow = transitionRulesBelow(openApiSchema);
  }

  private static Set<JsonNode> transitionRulesBelow(JsonNode openApiSchema) {
    try {
      return CelRuleWalker.transitionRulesBelow(openApiSchema);
    } catch (IllegalArgumentException e) {
      // a rule that does not compile: every node counts as changed (see violations)
      return null;
    }
  }

  /**
   * Compiles the schema's CEL rules now (cached by rule text): the first compile in a JVM loads
   * CEL's standard environment, which took 15 s on a loaded machine, on the API server's event
   * loop, when it was left to the first request (whose client then timed out and retried a POST).
   */
  private static void compileRules(JsonNode openApiSchema) {
    SchemaWalk.visit(
        openApiSchema,
        "",
        (path, node) ->
            node.path("x-kubernetes-validations")
                .forEach(
                    rule -> {
                      try {
                        CelRules.compile(rule.path("rule").asText());
                      } catch (IllegalArgumentException e) {
                        // reported by the admission of the object that meets the rule
                      }
                    }));
  }

  /** Compiles a CRD version's {@code openAPIV3Schema}. */
  public static CrdSchema of(JsonNode openApiSchema) {
    return new CrdSchema(openApiSchema);
  }

  /**
   * Removes, in place, the fields the schema does not declare (below {@code metadata} nothing is
   * pruned; {@code x-kubernetes-preserve-unknown-fields} keeps a subtree), as the API server prunes
   * a structural schema's unknown fields.
   *
   * @return the paths of the removed fields, e.g. {@code spec.foo}
   */
  public List<String> prune(ObjectNode object) {
    return prune(object, null);
  }

  /**
   * The same, on an update of {@code passed}, an object stored after these checks of this schema
   * (null: none): a top-level field equal to its old value was pruned then, so it is skipped.
   */
  public List<String> prune(ObjectNode object, JsonNode passed) {
    List<String> pruned = new ArrayList<>();
    if (openApiSchema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
      return pruned;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      if (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata")) {
        continue;
      }
      JsonNode schema = openApiSchema.path("properties").get(key);
      if (schema == null) {
        pruned.add(key);
        it.remove();
      } else if (passed == null || !field.getValue().equals(passed.get(key))) {
        prune(field.getValue(), passed == null ? null : passed.get(key), schema, key, pruned);
      }
    }
    return pruned;
  }

  /**
   * @param passed the value at the same path of an object stored after these checks, or null: if it
   *     is {@code value} itself (an update shares the stored subtrees it leaves alone), it was
   *     pruned then
   */
  private static void prune(
      JsonNode value, JsonNode passed, JsonNode schema, String path, List<String> pruned) {
    if (value == passed || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
      return;
    }
    if (value instanceof ObjectNode object) {
      JsonNode properties = schema.get("properties");
      JsonNode additional = schema.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode child = properties == null ? null : properties.get(field.getKey());
        if (child == null && additional != null && additional.isObject()) {
          child = additional;
        }
        String at = path + "." + field.getKey();
        if (child == null && (properties != null || additional == null)) {
          pruned.add(at);
          it.remove();
        } else if (child != null) {
          JsonNode old = passed instanceof ObjectNode ? passed.get(field.getKey()) : null;
          prune(field.getValue(), old, child, at, pruned);
        }
      }
    } else if (value != null && value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        JsonNode old = passed != null && passed.isArray() ? passed.get(i) : null;
        prune(value.get(i), old, schema.get("items"), path + "[" + i + "]", pruned);
      }
    }
  }

  /** Applies the schema's defaults in place. */
  public void applyDefaults(JsonNode object) {
    StructuralDefaulting.apply(object, openApiSchema, null);
  }

  /**
   * The same, on an update of {@code passed}, an object stored after these checks of this schema
   * (null: none): a top-level field equal to its old value has its defaults already, so it is
   * skipped.
   */
  public void applyDefaults(JsonNode object, JsonNode passed) {
    StructuralDefaulting.apply(object, openApiSchema, passed);
  }

  /**
   * The reasons the API server would refuse {@code object} (already pruned and defaulted): schema
   * violations, then, unless those include type or enum errors, list-type duplicates and failed CEL
   * rules ({@code oldObject}, when not null, for transition rules).
   */
  public List<Violation> violations(JsonNode object, JsonNode oldObject) {
    return violations(object, oldObject, false);
  }

  /**
   * The same; {@code oldPassed}: {@code oldObject} passed these checks of this schema (it was
   * stored after them), so that the nodes that did not change need not be validated again, nor
   * their rules and list types checked, as they read only the node (rules with {@code oldSelf}
   * still are).
   */
  public List<Violation> violations(JsonNode object, JsonNode oldObject, boolean oldPassed) {
    JsonSchemaCheck.Outcome outcome =
        check.check(object, oldPassed && oldObject != null ? oldObject : null);
    List<Violation> violations = new ArrayList<>(outcome.violations());
    if (!outcome.blocksRules()) {
      violations.addAll(
          transitionRulesBelow == null
              ? CelRuleWalker.check(openApiSchema, object, oldObject)
              : CelRuleWalker.check(
                  openApiSchema,
                  object,
                  oldObject,
                  oldPassed && oldObject != null,
                  transitionRulesBelow));
    }
    return violations;
  }
}
