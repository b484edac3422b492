package io.quiesce.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Label selectors in their string form ({@code a=b,c!=d,e,!f,g in (x,y),h notin (z)}).
 *
 * <p>fabric8's mock splits a selector at every comma and ignores what it cannot parse, so set-based
 * requirements ({@code in}, {@code notin}) match everything there. List answers are filtered again
 * here with the whole selector. Watches are not: see the README.
 */
final class LabelSelector {

  private static final String KEY = "([A-Za-z0-9][A-Za-z0-9._/-]*)";
  private static final Pattern SET_BASED =
      Pattern.compile("\\s*" + KEY + "\\s+(in|notin)\\s*\\(([^)]*)\\)\\s*");
  private static final Pattern EQUALITY =
      Pattern.compile("\\s*" + KEY + "\\s*(==|=|!=)\\s*([A-Za-z0-9._-]*)\\s*");
  private static final Pattern EXISTENCE = Pattern.compile("\\s*(!?)\\s*" + KEY + "\\s*");

  private LabelSelector() {}

  /**
   * The list answer with only the items the whole selector matches, when it has set-based parts.
   */
  static MockResponse filterList(MockResponse response, String selector) {
    if (response.code() != 200
        || !SET_BASED.matcher(selector).find()
        || response.getBody() == null) {
      return response;
    }
    Predicate<Map<String, String>> matches = parse(selector);
    try {
      JsonNode list = Serialization.jsonMapper().readTree(response.getBody().readUtf8());
      if (list == null || !list.path("items").isArray()) {
        return response;
      }
      ArrayNode kept = Serialization.jsonMapper().createArrayNode();
      for (JsonNode item : list.get("items")) {
        if (matches.test(labels(item))) {
          kept.add(item);
        }
      }
      ((ObjectNode) list).set("items", kept);
      return response.setBody(list.toString());
    } catch (JsonProcessingException e) {
      return response;
    }
  }

  /** All requirements of the selector, and-ed. */
  static Predicate<Map<String, String>> parse(String selector) {
    List<Predicate<Map<String, String>>> requirements = new ArrayList<>();
    for (String requirement : splitTopLevel(selector)) {
      if (!requirement.isBlank()) {
        requirements.add(requirement(requirement));
      }
    }
    return labels -> requirements.stream().allMatch(r -> r.test(labels));
  }

  private static Predicate<Map<String, String>> requirement(String text) {
    Matcher m = SET_BASED.matcher(text);
    if (m.matches()) {
      String key = m.group(1);
      Set<String> values =
          Arrays.stream(m.group(3).split(",")).map(String::trim).collect(Collectors.toSet());
      return "in".equals(m.group(2))
          ? labels -> labels.containsKey(key) && values.contains(labels.get(key))
          : labels -> !labels.containsKey(key) || !values.contains(labels.get(key));
    }
    m = EQUALITY.matcher(text);
    if (m.matches()) {
      String key = m.group(1);
      String value = m.group(3);
      return "!=".equals(m.group(2))
          ? labels -> !value.equals(labels.get(key))
          : labels -> value.equals(labels.get(key));
    }
    m = EXISTENCE.matcher(text);
    if (m.matches()) {
      String key = m.group(2);
      return m.group(1).isEmpty()
          ? labels -> labels.containsKey(key)
          : labels -> !labels.containsKey(key);
    }
    throw new IllegalArgumentException("unparseable label selector requirement: " + text);
  }

  /** Splits at commas that are not inside parentheses. */
  private static List<String> splitTopLevel(String selector) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(selector.substring(start));
    return parts;
  }

  private static Map<String, String> labels(JsonNode item) {
    Map<String, String> labels = new HashMap<>();
    item.path("metadata")
        .path("labels")
        .properties()
        .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }
}
