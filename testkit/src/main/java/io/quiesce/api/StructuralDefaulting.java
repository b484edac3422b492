package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Applies the {@code default}s of a structural schema to an object, as the API server does before
 * validation: a missing property with a default gets a copy of it, then defaulting goes on inside
 * every present value, including the defaults just set (so {@code default: {}} on an object fills
 * in its children's defaults).
 */
final class StructuralDefaulting {
  private StructuralDefaulting() {}

  /** Defaults {@code value} in place against {@code schema}. */
  static void apply(JsonNode value, JsonNode schema) {
    apply(value, schema, null);
  }

  /**
   * The same; {@code defaulted}: an object already defaulted against {@code schema} (or null),
   * whose fields equal to those of {@code value} need no defaulting again.
   */
  static void apply(JsonNode value, JsonNode schema, JsonNode defaulted) {
    apply(value, schema, defaulted, true);
  }

  /**
   * @param equalSkips whether a field equal to {@code defaulted}'s is skipped (at the top), or only
   *     one that is the same node (below: an update shares the stored subtrees it leaves alone, and
   *     comparing every changed level deeply would cost more than it saves)
   */
  private static void apply(
      JsonNode value, JsonNode schema, JsonNode defaulted, boolean equalSkips) {
    if (value == defaulted) {
      return;
    }
    if (value instanceof ObjectNode object) {
      JsonNode properties = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        JsonNode defaultValue = property.getValue().get("default");
        if (defaultValue != null
            && (!object.has(property.getKey()) || object.get(property.getKey()).isNull())) {
          object.set(property.getKey(), defaultValue.deepCopy());
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode propertySchema = properties.get(field.getKey());
        if (propertySchema == null) {
          propertySchema = schema.get("additionalProperties");
        }
        JsonNode old = defaulted instanceof ObjectNode ? defaulted.get(field.getKey()) : null;
        if (propertySchema != null
            && propertySchema.isObject()
            && (!equalSkips || old == null || !field.getValue().equals(old))) {
          apply(field.getValue(), propertySchema, old, false);
        }
      }
    } else if (value instanceof ArrayNode array && schema.has("items")) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode old = defaulted != null && defaulted.isArray() ? defaulted.get(i) : null;
        apply(array.get(i), schema.get("items"), old, false);
      }
    }
  }
}
