package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the API server checks beyond plain JSON Schema, walking an object together with its schema:
 * every {@code x-kubernetes-validations} rule is evaluated at the node it is attached to (with
 * {@code oldSelf} on updates, where the old object has that node), and {@code
 * x-kubernetes-list-type} {@code set} and {@code map} lists must not repeat an item or a key.
 *
 * <p>As in the API server, on an update the old value of a node is found by field name through
 * objects and by key through {@code map} lists; items of other lists have no old value, so
 * transition rules below them are not evaluated.
 *
 * <p>When the old object passed these same checks (it was stored after them, with the same schema),
 * a node equal to its old value is not checked again: its rules without {@code oldSelf} and its
 * list types only read the node, so they pass again. Rules with {@code oldSelf} below it are still
 * evaluated. (Most writes are status writes of a large object whose spec does not change.)
 */
final class CelRuleWalker {
  private final List<Violation> violations = new ArrayList<>();

  /**
   * Each node's CEL value, converted once per check: a rule on a node converts its whole subtree,
   * which the rules below it used to convert again, once per rule.
   */
  private final Map<JsonNode, Object> celValues = new IdentityHashMap<>();

  /** The schema nodes at or below which a rule reads {@code oldSelf} (by identity). */
  private final Set<JsonNode> transitionRulesBelow;

  private CelRuleWalker(Set<JsonNode> transitionRulesBelow) {
    this.transitionRulesBelow = transitionRulesBelow;
  }

  /** The violations of {@code value} (and of the change from {@code oldValue}, when not null). */
  static List<Violation> check(JsonNode schema, JsonNode value, JsonNode oldValue) {
    return check(schema, value, oldValue, false, Set.of());
  }

  /**
   * The same; {@code oldPassed}: {@code oldValue} passed these checks with this schema, so nodes
   * equal to their old value need only their transition rules evaluated.
   *
   * @param transitionRulesBelow {@link #transitionRulesBelow(JsonNode)} of {@code schema}
   */
  static List<Violation> check(
      JsonNode schema,
      JsonNode value,
      JsonNode oldValue,
      boolean oldPassed,
      Set<JsonNode> transitionRulesBelow) {
    CelRuleWalker walker = new CelRuleWalker(transitionRulesBelow);
    walker.walk(schema, value, oldValue, "", oldPassed);
    return walker.violations;
  }

  /**
   * The nodes of {@code schema} at or below which an {@code x-kubernetes-validations} rule reads
   * {@code oldSelf}, by identity.
   */
  static Set<JsonNode> transitionRulesBelow(JsonNode schema) {
    Set<JsonNode> below = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    markTransitionRules(schema, below);
    return below;
  }

  private static boolean markTransitionRules(JsonNode schema, Set<JsonNode> below) {
    boolean found = false;
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      found |= CelRules.compile(rule.path("rule").asText()).transition();
    }
    for (JsonNode property : schema.path("properties")) {
      found |= markTransitionRules(property, below);
    }
    for (String child : List.of("items", "additionalProperties")) {
      if (schema.path(child).isObject()) {
        found |= markTransitionRules(schema.get(child), below);
      }
    }
    if (found) {
      below.add(schema);
    }
    return found;
  }

  /**
   * @param oldPassed the old value passed these checks (see the class comment)
   */
  private void walk(
      JsonNode schema, JsonNode value, JsonNode oldValue, String path, boolean oldPassed) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    boolean unchanged = oldPassed && oldValue != null && value.equals(oldValue);
    if (unchanged && !transitionRulesBelow.contains(schema)) {
      return;
    }
    if (!unchanged) {
      checkListType(schema, value, path);
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      evaluate(rule, value, oldValue, path, unchanged);
    }
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode child = schema.path("properties").get(field.getKey());
        if (child == null && schema.path("additionalProperties").isObject()) {
          child = schema.get("additionalProperties");
        }
        if (child != null) {
          JsonNode oldChild = oldValue == null ? null : oldValue.get(field.getKey());
          walk(child, field.getValue(), oldChild, join(path, field.getKey()), oldPassed);
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      Map<Map<String, JsonNode>, JsonNode> oldItems = oldItemsByKey(schema, oldValue);
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        JsonNode oldItem = oldItems.isEmpty() ? null : oldItems.get(keyOf(schema, item));
        walk(schema.get("items"), item, oldItem, path + "[" + i + "]", oldPassed);
      }
    }
  }

  /**
   * @param unchanged the node equals its old value, which passed: only a transition rule can fail
   */
  private void evaluate(
      JsonNode rule, JsonNode value, JsonNode oldValue, String path, boolean unchanged) {
    CelRules.Compiled compiled = CelRules.compile(rule.path("rule").asText());
    if (compiled.transition()
        ? oldValue == null || (unchanged && compiled.trueWhenUnchanged())
        : unchanged) {
      return;
    }
    Object result =
        compiled.evaluate(celValue(value), oldValue == null ? null : celValue(oldValue));
    if (Boolean.TRUE.equals(result)) {
      return;
    }
    String at =
        rule.has("fieldPath") ? join(path, rule.get("fieldPath").asText().substring(1)) : path;
    String message =
        result instanceof String error
            ? error
            : rule.has("message")
                ? rule.get("message").asText()
                : "failed rule: " + compiled.rule();
    violations.add(new Violation(at, "rule: " + message));
  }

  private void checkListType(JsonNode schema, JsonNode value, String path) {
    String listType = schema.path("x-kubernetes-list-type").asText("atomic");
    if (!value.isArray() || listType.equals("atomic")) {
      return;
    }
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < value.size(); i++) {
      Object identity = listType.equals("map") ? keyOf(schema, value.get(i)) : value.get(i);
      if (!seen.add(identity)) {
        violations.add(
            new Violation(path + "[" + i + "]", "list-type: Duplicate value: " + identity));
      }
    }
  }

  /**
   * The old items of a {@code map} list by key, looked up once per list (a search of the old list
   * per item made a status of a thousand entries cost a million key comparisons per write); the
   * first item of a repeated key wins, as the search did.
   */
  private static Map<Map<String, JsonNode>, JsonNode> oldItemsByKey(
      JsonNode schema, JsonNode oldList) {
    if (oldList == null
        || !oldList.isArray()
        || !schema.path("x-kubernetes-list-type").asText().equals("map")) {
      return Map.of();
    }
    Map<Map<String, JsonNode>, JsonNode> byKey = new HashMap<>();
    for (JsonNode oldItem : oldList) {
      byKey.putIfAbsent(keyOf(schema, oldItem), oldItem);
    }
    return byKey;
  }

  private static Map<String, JsonNode> keyOf(JsonNode listSchema, JsonNode item) {
    Map<String, JsonNode> key = new LinkedHashMap<>();
    listSchema
        .path("x-kubernetes-list-map-keys")
        .forEach(k -> key.put(k.asText(), item.get(k.asText())));
    return key;
  }

  /**
   * JSON as CEL sees it: objects as maps, integers as int (long), absent and null fields omitted.
   * (CEL values are immutable to rules, so one conversion serves every rule that sees the node.)
   */
  private Object celValue(JsonNode node) {
    Object known = celValues.get(node);
    if (known != null) {
      return known;
    }
    Object value;
    if (node.isObject()) {
      Map<String, Object> map = new HashMap<>();
      node.fields()
          .forEachRemaining(
              f -> {
                if (!f.getValue().isNull()) {
                  map.put(celName(f.getKey()), celValue(f.getValue()));
                }
              });
      value = map;
    } else if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(celValue(item)));
      value = list;
    } else {
      value = scalar(node);
    }
    celValues.put(node, value);
    return value;
  }

  private static Object scalar(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  /**
   * CEL's reserved words among the names a property may have, escaped as the API server escapes
   * them.
   */
  private static final Set<String> CEL_RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  /**
   * A field name as rules select it: a CEL reserved word such as {@code namespace} is {@code
   * __namespace__}. (The API server also escapes {@code -}, {@code .} and {@code /} in declared
   * property names, but not in map keys, which this schema-less conversion cannot tell apart; no
   * Quiesce or upstream rule selects such a property.)
   */
  static String celName(String property) {
    return CEL_RESERVED.contains(property) ? "__" + property + "__" : property;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
