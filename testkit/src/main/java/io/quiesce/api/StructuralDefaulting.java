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
        if (propertySchema != null
            && propertySchema.isObject()
            && (defaulted == null || !field.getValue().equals(defaulted.get(field.getKey())))) {
          apply(field.getValue(), propertySchema, null);
        }
      }
    } else if (value instanceof ArrayNode array && schema.has("items")) {
      array.forEach(item -> apply(item, schema.get("items")));
    }
  }
}
