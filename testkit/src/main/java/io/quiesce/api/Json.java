package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** YAML and JSON reading for the tests (Jackson 2, as the API model uses). */
final class Json {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Json() {}

  static JsonNode readYaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a multi-document YAML text, in order. */
  static List<JsonNode> readYamlDocuments(String text) {
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(text)) {
      return YAML.readValues(parser, JsonNode.class).readAll();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
