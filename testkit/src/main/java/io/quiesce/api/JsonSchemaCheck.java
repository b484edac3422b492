package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The API server's schema validation of one CRD, with networknt's JSON Schema validator on the
 * schema {@link OpenApiToJsonSchema} makes. Patterns run on RE2 (re2j), the dialect of the API
 * server's Go regular expressions, so a pattern Go cannot compile fails here too; formats such as
 * {@code date-time} are asserted, as the API server does.
 */
final class JsonSchemaCheck {
  /**
   * Keywords whose failure makes the API server skip the CEL rules (type errors, unsupported
   * values).
   */
  private static final List<String> BLOCKING = List.of("type", "enum");

  /** networknt reads Jackson 3 trees; the tests use Jackson 2, so trees cross over as JSON text. */
  private static final JsonMapper JACKSON3 = JsonMapper.builder().build();

  private final Schema schema;

  JsonSchemaCheck(JsonNode openApiSchema) {
    RegularExpressionFactory re2 =
        regex -> {
          com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile(regex);
          return value -> pattern.matcher(value).find();
        };
    SchemaRegistryConfig config =
        SchemaRegistryConfig.builder()
            .formatAssertionsEnabled(true)
            .regularExpressionFactory(re2)
            .pathType(PathType.JSON_PATH)
            .build();
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, builder -> builder.schemaRegistryConfig(config));
    this.schema = registry.getSchema(toJackson3(OpenApiToJsonSchema.convert(openApiSchema)));
  }

  /** Result of one check: the violations, and whether any of them would stop the CEL rules. */
  record Outcome(List<Violation> violations, boolean blocksRules) {}

  Outcome check(JsonNode object) {
    List<Error> errors = schema.validate(toJackson3(object));
    List<Violation> violations = errors.stream().map(JsonSchemaCheck::toViolation).toList();
    boolean blocking = errors.stream().anyMatch(e -> BLOCKING.contains(e.getKeyword()));
    return new Outcome(violations, blocking);
  }

  private static Violation toViolation(Error error) {
    String path = fieldPath(error.getInstanceLocation());
    // "required" and "additionalProperties" report the parent object; name the field itself
    if (error.getProperty() != null
        && List.of("required", "additionalProperties").contains(error.getKeyword())) {
      path = path.isEmpty() ? error.getProperty() : path + "." + error.getProperty();
    }
    return new Violation(path, error.getKeyword() + ": " + error.getMessage());
  }

  /** {@code $.spec.volumes[1]} as the Kubernetes field path {@code spec.volumes[1]}. */
  static String fieldPath(NodePath location) {
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(element);
      }
    }
    return path.toString();
  }

  /**
   * The same tree in Jackson 3, node by node (it crossed over as JSON text, written and parsed
   * again on every write the server checked): numbers keep the node type parsing their text gives.
   */
  static tools.jackson.databind.JsonNode toJackson3(JsonNode node) {
    JsonNodeFactory nodes = JACKSON3.getNodeFactory();
    if (node.isObject()) {
      tools.jackson.databind.node.ObjectNode object = nodes.objectNode();
      node.properties().forEach(e -> object.set(e.getKey(), toJackson3(e.getValue())));
      return object;
    }
    if (node.isArray()) {
      tools.jackson.databind.node.ArrayNode array = nodes.arrayNode(node.size());
      node.forEach(item -> array.add(toJackson3(item)));
      return array;
    }
    if (node.isTextual()) {
      return nodes.textNode(node.textValue());
    }
    if (node.isBoolean()) {
      return nodes.booleanNode(node.booleanValue());
    }
    if (node.isNull()) {
      return nodes.nullNode();
    }
    if (node.isIntegralNumber()) {
      // as parsing the number's text types it: the smallest of int, long, big integer
      java.math.BigInteger value = node.bigIntegerValue();
      if (value.bitLength() < Integer.SIZE) {
        return nodes.numberNode(value.intValue());
      }
      return value.bitLength() < Long.SIZE
          ? nodes.numberNode(value.longValue())
          : nodes.numberNode(value);
    }
    if (node.isDouble()) {
      return nodes.numberNode(node.doubleValue());
    }
    return JACKSON3.readTree(node.toString()); // other numbers: as before, through their text
  }
}
