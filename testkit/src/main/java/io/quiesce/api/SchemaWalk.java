package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.BiConsumer;

/**
 * Visits every node of an OpenAPI schema with its path ({@code spec.volumes[]}, {@code
 * spec.labels{}}).
 */
final class SchemaWalk {
  private SchemaWalk() {}

  static void visit(JsonNode schema, String path, BiConsumer<String, JsonNode> visitor) {
    visitor.accept(path, schema);
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            property ->
                visit(
                    property.getValue(),
                    path.isEmpty() ? property.getKey() : path + "." + property.getKey(),
                    visitor));
    if (schema.path("items").isObject()) {
      visit(schema.get("items"), path + "[]", visitor);
    }
    if (schema.path("additionalProperties").isObject()) {
      visit(schema.get("additionalProperties"), path + "{}", visitor);
    }
  }
}
