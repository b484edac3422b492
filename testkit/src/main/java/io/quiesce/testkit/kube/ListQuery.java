package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The list options the test API server applies itself, after the store has answered: field
 * selectors ({@code =}, {@code ==}, {@code !=} on any field path; a real server allows {@code
 * metadata.name} and {@code metadata.namespace} on every kind, and a few more fields on some
 * built-ins), and {@code limit}/{@code continue} paging in the order of a real server's keys
 * (namespace, then name), with {@code remainingItemCount}.
 */
final class ListQuery {
  private static final List<String> HANDLED = List.of("fieldSelector", "limit", "continue");

  private ListQuery() {}

  /** Whether a list request has any option handled here. */
  static boolean handles(ResourcePath path) {
    return HANDLED.stream().anyMatch(p -> path.queryParameter(p).isPresent());
  }

  /** The request path without the options handled here, for the store. */
  static String storePath(ResourcePath path) {
    if (path.query() == null) {
      return path.withoutQuery();
    }
    List<String> kept = new ArrayList<>();
    for (String pair : path.query().split("&")) {
      String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
      if (!HANDLED.contains(key)) {
        kept.add(pair);
      }
    }
    // the store narrows by name (a fake helper's wait lists one VolumeSnapshot by name: without
    // this, each such list composed and parsed every object of the namespace, O(N) per wait);
    // the whole selector is still applied to what the store answers
    namedIn(path)
        .ifPresent(
            name ->
                kept.add(
                    "fieldSelector="
                        + URLEncoder.encode("metadata.name=" + name, StandardCharsets.UTF_8)));
    return path.withoutQuery() + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }

  /** The name a field selector requires ({@code metadata.name=name}), if it requires one. */
  private static Optional<String> namedIn(ResourcePath path) {
    Optional<String> selector = path.queryParameter("fieldSelector");
    if (selector.isEmpty()) {
      return Optional.empty();
    }
    for (String requirement : selector.get().split(",")) {
      String text = requirement.trim();
      int eq = text.indexOf('=');
      if (eq > 0
          && !text.contains("!")
          && text.substring(0, eq).trim().equals("metadata.name")
          && !text.startsWith("==", eq)) {
        return Optional.of(text.substring(eq + 1).trim());
      }
    }
    return Optional.empty();
  }

  /** Applies the options to a list the store answered (in place). */
  static void apply(ResourcePath path, ObjectNode list) throws ApiStatusException {
    List<JsonNode> items = new ArrayList<>();
    list.path("items").forEach(items::add);
    Optional<String> selector = path.queryParameter("fieldSelector").filter(s -> !s.isBlank());
    if (selector.isPresent()) {
      Predicate<JsonNode> matches = fieldSelector(selector.get());
      items.removeIf(matches.negate());
    }
    items.sort(Comparator.comparing(ListQuery::key));
    Optional<String> token = path.queryParameter("continue").filter(s -> !s.isEmpty());
    if (token.isPresent()) {
      String after = decode(token.get());
      items.removeIf(item -> key(item).compareTo(after) <= 0);
    }
    long limit = path.queryParameter("limit").map(ListQuery::limit).orElse(0L);
    ObjectNode metadata =
        list.has("metadata") ? (ObjectNode) list.get("metadata") : list.putObject("metadata");
    metadata.remove("continue");
    metadata.remove("remainingItemCount");
    if (limit > 0 && items.size() > limit) {
      int remaining = items.size() - (int) limit;
      items = items.subList(0, (int) limit);
      metadata.put(
          "continue",
          Base64.getUrlEncoder()
              .encodeToString(key(items.get(items.size() - 1)).getBytes(StandardCharsets.UTF_8)));
      metadata.put("remainingItemCount", remaining);
    }
    ArrayNode array = list.putArray("items");
    items.forEach(array::add);
  }

  private static long limit(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String decode(String token) throws ApiStatusException {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ApiStatusException(
          400, "BadRequest", "continue key is not valid: " + e.getMessage());
    }
  }

  private static String key(JsonNode item) {
    JsonNode metadata = item.path("metadata");
    return metadata.path("namespace").asText("") + "/" + metadata.path("name").asText("");
  }

  /**
   * A field selector: requirements separated by commas, each {@code path=value}, {@code
   * path==value} or {@code path!=value}.
   */
  static Predicate<JsonNode> fieldSelector(String selector) throws ApiStatusException {
    Predicate<JsonNode> all = item -> true;
    for (String requirement : selector.split(",")) {
      String text = requirement.trim();
      int ne = text.indexOf("!=");
      int eq = text.indexOf('=');
      if (eq <= 0) {
        throw new ApiStatusException(400, "BadRequest", "invalid field selector: " + selector);
      }
      boolean negated = ne > 0 && ne < eq + 1 && ne == eq - 1;
      String field = text.substring(0, negated ? ne : eq).trim();
      String value = text.substring(text.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
      Predicate<JsonNode> one = item -> value.equals(textAt(item, field));
      all = all.and(negated ? one.negate() : one);
    }
    return all;
  }

  private static String textAt(JsonNode item, String field) {
    JsonNode at = item;
    for (String part : field.split("\\.")) {
      at = at.path(part);
    }
    return at.isValueNode() ? at.asText() : "";
  }
}
