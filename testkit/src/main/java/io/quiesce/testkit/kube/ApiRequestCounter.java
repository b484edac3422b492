package io.quiesce.testkit.kube;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests an API server answers, by client ({@code User-Agent}), verb and resource, as
 * a real API server's {@code apiserver_request_total} does; for benchmarks that report API requests
 * per snapshot. Thread-safe.
 */
public final class ApiRequestCounter {

  /**
   * One counted kind of request.
   *
   * @param client the request's {@code User-Agent}, or {@code "-"}
   * @param verb {@code get}, {@code list}, {@code watch}, {@code create}, {@code update}, {@code
   *     patch} or {@code delete}
   * @param resource {@code plural[.group]}, with {@code /subresource} when there is one; {@code
   *     discovery <path>} for other paths ({@code /version}, {@code /apis/<group>/<version>})
   */
  public record Key(String client, String verb, String resource) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return client + " " + verb + " " + resource;
    }
  }

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

  void count(String method, String pathAndQuery, String userAgent) {
    counts.computeIfAbsent(key(method, pathAndQuery, userAgent), k -> new LongAdder()).increment();
  }

  static Key key(String method, String pathAndQuery, String userAgent) {
    String client = userAgent == null || userAgent.isBlank() ? "-" : userAgent;
    return ResourcePath.parse(pathAndQuery)
        .map(
            p ->
                new Key(
                    client,
                    verb(method, p),
                    p.resourceName() + (p.subresource() == null ? "" : "/" + p.subresource())))
        .orElseGet(
            () ->
                new Key(
                    client,
                    method.toLowerCase(java.util.Locale.ROOT),
                    "discovery " + pathAndQuery.replaceFirst("[?].*", "")));
  }

  private static String verb(String method, ResourcePath path) {
    return switch (method) {
      case "GET" ->
          path.queryParameter("watch").filter("true"::equals).isPresent()
              ? "watch"
              : path.name() == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** The counts so far, sorted by key. */
  public Map<Key, Long> snapshot() {
    Map<Key, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  /** The total so far. */
  public long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Starts counting from zero. */
  public void reset() {
    counts.clear();
  }
}
