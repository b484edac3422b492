package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

  /**
   * Keywords of an object's schema that read no more than the object's own property names (or
   * nothing): an object whose schema has only these can be checked level by level (see {@link
   * #check(JsonNode, JsonNode)}).
   */
  private static final Set<String> OBJECT_LEVEL =
      Set.of(
          "$schema",
          "type",
          "properties",
          "additionalProperties",
          "required",
          "minProperties",
          "maxProperties",
          "description",
          "title",
          "default",
          "example");

  /** The same for a list's schema: keywords that read no more than the list's length. */
  private static final Set<String> LIST_LEVEL =
      Set.of(
          "$schema",
          "type",
          "items",
          "minItems",
          "maxItems",
          "description",
          "title",
          "default",
          "example");

  private final SchemaRegistry registry;

  /** The JSON Schema, in Jackson 2: its nodes key {@link #compiled}. */
  private final JsonNode converted;

  private final Schema schema;

  /** Answers for the objects that pass (most) without networknt. */
  private final ValidityProof proof;

  private static final Outcome PASSED = new Outcome(List.of(), false);

  /**
   * The compiled schema of a node of {@link #converted}, by identity: in full, or (key {@link
   * Level}) its object's own keywords only.
   */
  private final Map<Object, Schema> compiled = new ConcurrentHashMap<>();

  /** Key of {@link #compiled} for an object schema's own keywords, without its properties'. */
  private record Level(IdentityKey schema) {}

  /** A schema node compared by identity (Jackson's nodes compare by value). */
  private record IdentityKey(JsonNode node) {
    @Override
    public boolean equals(Object other) {
      return other instanceof IdentityKey key && key.node == node;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(node);
    }
  }

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
    this.registry = registry;
    this.converted = OpenApiToJsonSchema.convert(openApiSchema);
    this.schema = registry.getSchema(toJackson3(converted));
    this.proof = new ValidityProof(converted, this::networkntPasses);
  }

  /** Whether networknt finds no violation of {@code value} against a node of the JSON Schema. */
  boolean networkntPasses(JsonNode schemaNode, JsonNode value) {
    return compiled(schemaNode).validate(toJackson3(value)).isEmpty();
  }

  /** Result of one check: the violations, and whether any of them would stop the CEL rules. */
  record Outcome(List<Violation> violations, boolean blocksRules) {}

  Outcome check(JsonNode object) {
    return check(object, null);
  }

  /**
   * The same, for an update of {@code old} (null: a create, or an old object not known to have
   * passed this check): {@code old} passed this check, so a subtree equal to its old value passes
   * again, as JSON Schema's keywords read only the node they apply to; only the changed subtrees
   * are validated (kube-apiserver's validation ratcheting, without its leniency: the violations are
   * those of a full check). A changed object whose schema has only {@link #OBJECT_LEVEL} keywords
   * is checked for those, then property by property, and a changed list whose schema has only
   * {@link #LIST_LEVEL} keywords for those, then item by item (each against the old item at its
   * index), when that skips an unchanged object or list; any other node is validated whole.
   *
   * <p>First, {@link ValidityProof} tells most objects that pass (all violations are found as
   * before, by networknt, when it cannot tell).
   */
  Outcome check(JsonNode object, JsonNode old) {
    if (proof.passes(object, old)) {
      return PASSED;
    }
    List<Error> errors = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    if (old == null) {
      validate(schema, object, "", errors, violations);
    } else {
      ratchet(converted, object, old, "", errors, violations);
    }
    boolean blocking = errors.stream().anyMatch(e -> BLOCKING.contains(e.getKeyword()));
    return new Outcome(violations, blocking);
  }

  private void ratchet(
      JsonNode schemaNode,
      JsonNode value,
      JsonNode old,
      String path,
      List<Error> errors,
      List<Violation> violations) {
    if (value.equals(old)) {
      return;
    }
    changed(schemaNode, value, old, path, errors, violations);
  }

  /** {@link #ratchet} of a value known to differ from {@code old}. */
  private void changed(
      JsonNode schemaNode,
      JsonNode value,
      JsonNode old,
      String path,
      List<Error> errors,
      List<Violation> violations) {
    boolean list = value.isArray() && old != null && old.isArray() && itemByItem(schemaNode);
    boolean object = value.isObject() && old != null && old.isObject() && levelByLevel(schemaNode);
    if (!list && !object) {
      validate(compiled(schemaNode), value, path, errors, violations);
      return;
    }
    // the children that changed; checked one by one only if an unchanged object or list is
    // skipped so (each validation has a cost of its own: one call beats many small ones)
    List<String> changedFields = new ArrayList<>();
    List<Integer> changedItems = new ArrayList<>();
    boolean skipsAContainer = false;
    if (list) {
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        if (!item.equals(old.get(i))) {
          changedItems.add(i);
        } else {
          skipsAContainer |= item.isContainerNode();
        }
      }
    } else {
      JsonNode properties = schemaNode.path("properties");
      for (Map.Entry<String, JsonNode> field : value.properties()) {
        if (!properties.has(field.getKey())) {
          continue; // refused by the object's own keywords
        }
        if (!field.getValue().equals(old.get(field.getKey()))) {
          changedFields.add(field.getKey());
        } else {
          skipsAContainer |= field.getValue().isContainerNode();
        }
      }
    }
    if (!skipsAContainer) {
      validate(compiled(schemaNode), value, path, errors, violations);
      return;
    }
    validateLevel(schemaNode, value, path, errors, violations);
    // an item's keywords read only the item: one equal to the old item at its index passed
    for (int i : changedItems) {
      changed(
          schemaNode.get("items"),
          value.get(i),
          old.get(i),
          path + "[" + i + "]",
          errors,
          violations);
    }
    for (String field : changedFields) {
      changed(
          schemaNode.path("properties").get(field),
          value.get(field),
          old.get(field),
          join(path, field),
          errors,
          violations);
    }
  }

  /** Whether a changed object of this schema can be checked level by level. */
  private static boolean levelByLevel(JsonNode schemaNode) {
    if (!schemaNode.path("properties").isObject()
        || schemaNode.path("additionalProperties").isObject()) {
      return false; // unknown properties are checked against a schema of their own
    }
    for (Map.Entry<String, JsonNode> keyword : schemaNode.properties()) {
      if (!OBJECT_LEVEL.contains(keyword.getKey())) {
        return false;
      }
    }
    return true;
  }

  /** Whether a changed list of this schema can be checked for its own keywords, then by item. */
  private static boolean itemByItem(JsonNode schemaNode) {
    if (!schemaNode.path("items").isObject()) {
      return false;
    }
    for (Map.Entry<String, JsonNode> keyword : schemaNode.properties()) {
      if (!LIST_LEVEL.contains(keyword.getKey())) {
        return false;
      }
    }
    return true;
  }

  private Schema compiled(JsonNode schemaNode) {
    if (schemaNode == converted) {
      return schema;
    }
    return compiled.computeIfAbsent(
        new IdentityKey(schemaNode), k -> registry.getSchema(toJackson3(schemaNode)));
  }

  /**
   * An object's or a list's schema, its own keywords only: each property's schema, or the items',
   * accepts anything.
   */
  private Schema compileLevel(JsonNode schemaNode) {
    com.fasterxml.jackson.databind.node.ObjectNode level =
        (com.fasterxml.jackson.databind.node.ObjectNode) schemaNode.deepCopy();
    if (level.has("items")) {
      level.set("items", BooleanNode.TRUE);
    } else {
      ((com.fasterxml.jackson.databind.node.ObjectNode) level.get("properties"))
          .properties()
          .forEach(p -> p.setValue(BooleanNode.TRUE));
    }
    return registry.getSchema(toJackson3(level));
  }

  /**
   * Validates an object or a list against its schema's own keywords ({@link #compileLevel}), which
   * read only its property names or its length: the object's values, or the list's items, cross
   * over to Jackson 3 as nulls, not converted.
   */
  private void validateLevel(
      JsonNode schemaNode,
      JsonNode value,
      String path,
      List<Error> errors,
      List<Violation> violations) {
    Schema level =
        compiled.computeIfAbsent(
            new Level(new IdentityKey(schemaNode)), k -> compileLevel(schemaNode));
    JsonNodeFactory nodes = JACKSON3.getNodeFactory();
    tools.jackson.databind.JsonNode shallow;
    if (value.isArray()) {
      tools.jackson.databind.node.ArrayNode items = nodes.arrayNode(value.size());
      for (int i = 0; i < value.size(); i++) {
        items.addNull();
      }
      shallow = items;
    } else {
      tools.jackson.databind.node.ObjectNode fields = nodes.objectNode();
      value.fieldNames().forEachRemaining(fields::putNull);
      shallow = fields;
    }
    List<Error> found = level.validate(shallow);
    errors.addAll(found);
    found.forEach(error -> violations.add(toViolation(error, path)));
  }

  /** Validates {@code value}, found at {@code path} of the checked object. */
  private static void validate(
      Schema schema, JsonNode value, String path, List<Error> errors, List<Violation> violations) {
    List<Error> found = schema.validate(toJackson3(value));
    errors.addAll(found);
    found.forEach(error -> violations.add(toViolation(error, path)));
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static Violation toViolation(Error error, String at) {
    String relative = fieldPath(error.getInstanceLocation());
    String path =
        at.isEmpty()
            ? relative
            : relative.isEmpty()
                ? at
                : relative.startsWith("[") ? at + relative : at + "." + relative;
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
