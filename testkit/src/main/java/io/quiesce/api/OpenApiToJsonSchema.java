package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiesce.api.schema.Patterns;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns a CRD's {@code openAPIV3Schema} (OpenAPI 3.0 with Kubernetes extensions) into a JSON Schema
 * (draft 2020-12) that checks what the API server's schema validation checks:
 *
 * <ul>
 *   <li>{@code x-kubernetes-int-or-string}: an integer or a string;
 *   <li>{@code nullable: true}: null is allowed too;
 *   <li>objects with {@code properties} refuse unknown fields (what {@code kubectl apply}'s strict
 *       field validation reports), unless {@code x-kubernetes-preserve-unknown-fields};
 *   <li>the root also knows {@code apiVersion}, {@code kind} and {@code metadata}, which the API
 *       server handles itself; {@code metadata.name} must be a DNS subdomain.
 * </ul>
 *
 * Every other {@code x-kubernetes-*} keyword is dropped here: list types and CEL rules are checked
 * by {@link CelRuleWalker}.
 */
final class OpenApiToJsonSchema {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OpenApiToJsonSchema() {}

  static ObjectNode convert(JsonNode openApiSchema) {
    ObjectNode root = node(openApiSchema);
    ObjectNode properties =
        root.has("properties") ? (ObjectNode) root.get("properties") : root.putObject("properties");
    properties.set("apiVersion", NODES.objectNode().put("type", "string"));
    properties.set("kind", NODES.objectNode().put("type", "string"));
    ObjectNode name =
        NODES
            .objectNode()
            .put("type", "string")
            .put("maxLength", 253)
            .put("pattern", Patterns.DNS_SUBDOMAIN);
    ObjectNode metadata = NODES.objectNode().put("type", "object");
    metadata.putObject("properties").set("name", name);
    properties.set("metadata", metadata);
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    return root;
  }

  private static ObjectNode node(JsonNode source) {
    ObjectNode result = NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      switch (key) {
        case "properties" -> {
          ObjectNode properties = result.putObject("properties");
          value.fields().forEachRemaining(p -> properties.set(p.getKey(), node(p.getValue())));
        }
        case "items", "additionalProperties" ->
            result.set(key, value.isObject() ? node(value) : value);
        case "anyOf", "allOf", "oneOf" -> {
          ArrayNode alternatives = result.putArray(key);
          value.forEach(alternative -> alternatives.add(node(alternative)));
        }
        case "not" -> result.set(key, node(value));
        case "nullable" -> {
          // applied below, once "type" is known
        }
        default -> {
          if (!key.startsWith("x-kubernetes-")) {
            result.set(key, value.deepCopy());
          }
        }
      }
    }
    if (source.path("x-kubernetes-int-or-string").asBoolean()) {
      result.remove("type");
      if (!result.has("anyOf")) {
        result
            .putArray("anyOf")
            .add(NODES.objectNode().put("type", "integer"))
            .add(NODES.objectNode().put("type", "string"));
      }
    }
    if (source.path("nullable").asBoolean() && result.has("type")) {
      result.set("type", NODES.arrayNode().add(result.get("type").asText()).add("null"));
    }
    boolean preserveUnknown = source.path("x-kubernetes-preserve-unknown-fields").asBoolean();
    if (result.has("properties") && !result.has("additionalProperties") && !preserveUnknown) {
      result.put("additionalProperties", false);
    }
    return result;
  }

  /**
   * The Kubernetes extensions the tests understand (here or in {@link CelRuleWalker}); others would
   * be ignored.
   */
  static List<String> handledKubernetesExtensions() {
    return List.of(
        "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-validations");
  }
}
