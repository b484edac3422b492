package io.quiesce.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/** Reading, writing and merging YAML as Jackson trees, for the chart's values and snippets. */
final class Yaml {
  static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

  private Yaml() {}

  static JsonNode read(Path file) throws IOException {
    return MAPPER.readTree(file.toFile());
  }

  static JsonNode read(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(JsonNode node) throws IOException {
    return MAPPER.writeValueAsString(node);
  }

  /**
   * {@code overlay} merged over {@code base} the way Helm merges values files: maps merge key by
   * key, anything else (lists included) is replaced.
   */
  static JsonNode merge(JsonNode base, JsonNode overlay) {
    if (!(base instanceof ObjectNode baseObject) || !overlay.isObject()) {
      return overlay;
    }
    ObjectNode merged = baseObject.deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = merged.get(field.getKey());
      merged.set(
          field.getKey(), existing == null ? field.getValue() : merge(existing, field.getValue()));
    }
    return merged;
  }
}
