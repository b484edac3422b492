package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * A quick answer to "does this value pass its JSON Schema?" that is right whenever it says yes, for
 * {@link JsonSchemaCheck}: most writes pass, and networknt's validation of a passing object cost
 * more than the rest of the write (it is converted to Jackson 3 and walked with a context of its
 * own per call). The common keywords are checked here, each exactly or more strictly than networknt
 * checks it; a node whose schema has any other keyword (a format other than int32 and int64, oneOf,
 * not, ...), or whose value fails a check here, is handed to networknt, so a "no" only means "ask
 * networknt" and the violations, when there are any, still come from networknt.
 *
 * <p>On an update of an object that passed, a node identical (the same instance: stored trees are
 * shared by the update, see the test server's {@code Patches}) to its old node passed then, and
 * passes again: the keywords read only the node they apply to.
 */
final class ValidityProof {
  /** Keywords that do not assert anything (annotations). */
  private static final Set<String> ANNOTATIONS =
      Set.of(
          "$schema",
          "$comment",
          "description",
          "title",
          "default",
          "example",
          "examples",
          "readOnly",
          "writeOnly",
          "deprecated");

  private static final Set<String> CHECKED =
      Set.of(
          "type",
          "properties",
          "additionalProperties",
          "required",
          "items",
          "enum",
          "maxLength",
          "minLength",
          "pattern",
          "maxItems",
          "minItems",
          "maxProperties",
          "minProperties",
          "minimum",
          "maximum",
          "anyOf",
          "allOf",
          "format");

  private static final int MATCHES_KEPT = 1024;

  /** The networknt check of one node: whether it has no violation. */
  private final BiPredicate<JsonNode, JsonNode> networknt;

  private final Map<JsonNode, Rule> rules = new java.util.IdentityHashMap<>();
  private final Rule root;

  /**
   * @param schema the converted JSON Schema ({@link OpenApiToJsonSchema})
   * @param networknt networknt's verdict of a value (second) against a node of {@code schema}
   *     (first): true when it finds no violation
   */
  ValidityProof(JsonNode schema, BiPredicate<JsonNode, JsonNode> networknt) {
    this.networknt = networknt;
    this.root = rule(schema);
  }

  /**
   * Whether {@code value} passes the schema; {@code old}: null, or the value of an object that
   * passed it.
   */
  boolean passes(JsonNode value, JsonNode old) {
    return root.passes(value, old);
  }

  private Rule rule(JsonNode schema) {
    Rule known = rules.get(schema);
    if (known == null) {
      known = new Rule(schema);
      rules.put(schema, known);
      known.compile();
    }
    return known;
  }

  /** The checks of one schema node, compiled once. */
  private final class Rule {
    private final JsonNode schema;

    /** A keyword not checked here: every value goes to networknt. */
    private boolean delegated;

    private Set<String> types;
    private Map<String, Rule> properties;

    /** null: any other property; {@link #NONE}: none. */
    private Rule additional;

    private List<String> required = List.of();
    private Rule items;
    private List<JsonNode> enumValues;
    private long maxLength = -1;
    private long minLength = -1;
    private com.google.re2j.Pattern pattern;

    /**
     * Strings {@link #pattern} was found in (RE2 matching was half of this class's time: the same
     * condition reasons, names and durations come back write after write); emptied when full.
     */
    private final Set<String> matched = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private long maxItems = -1;
    private long minItems = -1;
    private long maxProperties = -1;
    private long minProperties = -1;
    private BigDecimal minimum;
    private BigDecimal maximum;
    private List<Rule> anyOf;
    private List<Rule> allOf;
    private String format;

    Rule(JsonNode schema) {
      this.schema = schema;
    }

    private void compile() {
      if (!schema.isObject()) {
        delegated = !schema.isBoolean() || !schema.booleanValue();
        return;
      }
      for (Map.Entry<String, JsonNode> keyword : schema.properties()) {
        if (!ANNOTATIONS.contains(keyword.getKey()) && !CHECKED.contains(keyword.getKey())) {
          delegated = true;
          return;
        }
      }
      try {
        compileKeywords();
      } catch (RuntimeException e) {
        delegated = true; // a keyword of an unexpected shape: networknt's to judge
      }
    }

    private void compileKeywords() {
      JsonNode type = schema.get("type");
      if (type != null) {
        types = new HashSet<>();
        if (type.isArray()) {
          type.forEach(t -> types.add(t.textValue()));
        } else {
          types.add(type.textValue());
        }
      }
      JsonNode props = schema.get("properties");
      if (props != null) {
        properties = new HashMap<>();
        props.properties().forEach(p -> properties.put(p.getKey(), rule(p.getValue())));
      }
      JsonNode additionalProperties = schema.get("additionalProperties");
      if (additionalProperties != null) {
        additional =
            additionalProperties.isBoolean()
                ? additionalProperties.booleanValue() ? null : NONE
                : rule(additionalProperties);
      }
      if (schema.has("required")) {
        required = new ArrayList<>();
        schema.get("required").forEach(r -> required.add(r.textValue()));
      }
      if (schema.has("items")) {
        items = rule(schema.get("items"));
      }
      if (schema.has("enum")) {
        enumValues = new ArrayList<>();
        schema.get("enum").forEach(enumValues::add);
      }
      maxLength = count(schema.get("maxLength"));
      minLength = count(schema.get("minLength"));
      if (schema.has("pattern")) {
        pattern = com.google.re2j.Pattern.compile(schema.get("pattern").textValue());
      }
      maxItems = count(schema.get("maxItems"));
      minItems = count(schema.get("minItems"));
      maxProperties = count(schema.get("maxProperties"));
      minProperties = count(schema.get("minProperties"));
      minimum = schema.has("minimum") ? schema.get("minimum").decimalValue() : null;
      maximum = schema.has("maximum") ? schema.get("maximum").decimalValue() : null;
      if (schema.has("anyOf")) {
        anyOf = new ArrayList<>();
        schema.get("anyOf").forEach(a -> anyOf.add(rule(a)));
      }
      if (schema.has("allOf")) {
        allOf = new ArrayList<>();
        schema.get("allOf").forEach(a -> allOf.add(rule(a)));
      }
      if (schema.has("format")) {
        format = schema.get("format").textValue();
      }
    }

    private static long count(JsonNode keyword) {
      if (keyword == null) {
        return -1;
      }
      if (!keyword.isIntegralNumber() || keyword.longValue() < 0) {
        throw new IllegalArgumentException("not a count: " + keyword);
      }
      return keyword.longValue();
    }

    boolean passes(JsonNode value, JsonNode old) {
      if (value == old) {
        return true; // passed before (see the class comment)
      }
      Verdict verdict = delegated ? Verdict.UNKNOWN : checks(value, old);
      return verdict == Verdict.UNKNOWN
          ? this != NONE && networknt.test(schema, value)
          : verdict == Verdict.PASSES;
    }

    /** This node's own keywords here, and its children's (each asked networknt if need be). */
    private Verdict checks(JsonNode value, JsonNode old) {
      if ((types != null && !typeMatches(value))
          || (enumValues != null && !enumValues.contains(value))
          || (format != null && !formatHolds(value))
          || (value.isTextual() && !stringPasses(value.textValue()))
          || (value.isNumber() && !numberPasses(value))
          || (value.isObject() && !sizeAndRequired(value))
          || (value.isArray() && !length(value))
          || (anyOf != null && anyOf.stream().noneMatch(a -> a.checksAlone(value)))
          || (allOf != null && !allOf.stream().allMatch(a -> a.checksAlone(value)))) {
        return Verdict.UNKNOWN;
      }
      // a child that fails fails its parent: networknt is not asked again for the parent
      boolean children = value.isObject() ? propertiesPass(value, old) : itemsPass(value, old);
      return children ? Verdict.PASSES : Verdict.FAILS;
    }

    /** As an alternative of anyOf or allOf: passes here, without networknt. */
    private boolean checksAlone(JsonNode value) {
      return !delegated && checks(value, null) == Verdict.PASSES;
    }

    private boolean typeMatches(JsonNode value) {
      return switch (value.getNodeType()) {
        case STRING -> types.contains("string");
        case BOOLEAN -> types.contains("boolean");
        case NULL -> types.contains("null");
        case OBJECT -> types.contains("object");
        case ARRAY -> types.contains("array");
        case NUMBER ->
            types.contains("number") || (value.isIntegralNumber() && types.contains("integer"));
        default -> false;
      };
    }

    /** int32 and int64 of an integer (networknt's other formats are left to it). */
    private boolean formatHolds(JsonNode value) {
      return switch (format) {
        case "int32" -> value.isIntegralNumber() && value.canConvertToInt();
        case "int64" -> value.isIntegralNumber() && value.canConvertToLong();
        default -> false;
      };
    }

    /**
     * Lengths: UTF-16 units bound the code points from above, so a string within maxLength in units
     * and within minLength in code points is within both however networknt counts.
     */
    private boolean stringPasses(String text) {
      return (maxLength < 0 || text.length() <= maxLength)
          && (minLength < 0 || text.codePointCount(0, text.length()) >= minLength)
          && (pattern == null || matches(text));
    }

    private boolean matches(String text) {
      if (matched.contains(text)) {
        return true;
      }
      if (!pattern.matcher(text).find()) {
        return false;
      }
      if (matched.size() >= MATCHES_KEPT) {
        matched.clear();
      }
      matched.add(text);
      return true;
    }

    private boolean numberPasses(JsonNode value) {
      if (minimum == null && maximum == null) {
        return true;
      }
      BigDecimal number = value.decimalValue();
      return (minimum == null || number.compareTo(minimum) >= 0)
          && (maximum == null || number.compareTo(maximum) <= 0);
    }

    private boolean sizeAndRequired(JsonNode value) {
      int size = value.size();
      if ((maxProperties >= 0 && size > maxProperties)
          || (minProperties >= 0 && size < minProperties)) {
        return false;
      }
      for (String name : required) {
        if (!value.has(name)) {
          return false;
        }
      }
      return true;
    }

    private boolean propertiesPass(JsonNode value, JsonNode old) {
      for (Map.Entry<String, JsonNode> field : value.properties()) {
        Rule child = properties == null ? null : properties.get(field.getKey());
        if (child == null) {
          child = additional;
        }
        JsonNode oldChild = old == null || !old.isObject() ? null : old.get(field.getKey());
        if (child != null && !child.passes(field.getValue(), oldChild)) {
          return false;
        }
      }
      return true;
    }

    private boolean length(JsonNode value) {
      int size = value.size();
      return (maxItems < 0 || size <= maxItems) && (minItems < 0 || size >= minItems);
    }

    private boolean itemsPass(JsonNode value, JsonNode old) {
      if (items == null || !value.isArray()) {
        return true;
      }
      for (int i = 0; i < value.size(); i++) {
        JsonNode oldItem = old == null || !old.isArray() ? null : old.get(i);
        if (!items.passes(value.get(i), oldItem)) {
          return false;
        }
      }
      return true;
    }
  }

  private enum Verdict {
    PASSES,
    FAILS,
    /** Not known here: networknt's to judge. */
    UNKNOWN
  }

  /** {@code false} as a schema: no value passes. */
  private final Rule NONE = new Rule(com.fasterxml.jackson.databind.node.BooleanNode.FALSE);

  {
    NONE.delegated = true;
  }
}
