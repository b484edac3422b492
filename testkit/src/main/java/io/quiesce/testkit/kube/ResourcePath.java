package io.quiesce.testkit.kube;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes REST path taken apart: {@code /api/v1/...} or {@code /apis/<group>/<version>/...},
 * then optionally {@code namespaces/<ns>/}, then {@code <plural>[/<name>[/<subresource>]]}, then an
 * optional query string.
 *
 * @param group API group, empty for the core group
 * @param plural the resource, e.g. {@code volumesnapshots}
 * @param namespace the namespace, or null for cluster-scoped paths
 * @param name the object's name, or null for a collection
 * @param subresource e.g. {@code status}, or null
 * @param query the raw query string, or null
 */
record ResourcePath(
    String prefix,
    String group,
    String plural,
    String namespace,
    String name,
    String subresource,
    String query) {

  static final String STATUS = "status";

  /** Parses a request path; empty when it is not a resource path (e.g. discovery). */
  static Optional<ResourcePath> parse(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? null : pathAndQuery.substring(q + 1);
    List<String> segments = Arrays.asList(trimSlashes(path).split("/"));
    int rest;
    String group;
    if (segments.size() >= 2 && segments.get(0).equals("api")) {
      group = "";
      rest = 2;
    } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      rest = 3;
    } else {
      return Optional.empty();
    }
    String prefix = "/" + String.join("/", segments.subList(0, rest));
    String namespace = null;
    // ambiguous only for a Namespace's own subresources (namespaces/<ns>/status), which Quiesce
    // never writes
    if (segments.size() >= rest + 3 && segments.get(rest).equals("namespaces")) {
      namespace = segments.get(rest + 1);
      rest += 2;
    }
    if (segments.size() <= rest) {
      return Optional.empty();
    }
    String plural = segments.get(rest);
    String name = segments.size() > rest + 1 ? segments.get(rest + 1) : null;
    String subresource = segments.size() > rest + 2 ? segments.get(rest + 2) : null;
    return Optional.of(
        new ResourcePath(prefix, group, plural, namespace, name, subresource, query));
  }

  /**
   * The path without leading and trailing slashes (by hand: a regular expression compiled per call
   * was most of the cost of parsing, which every request does several times).
   */
  private static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  boolean isStatus() {
    return STATUS.equals(subresource);
  }

  /** The object's own path, without subresource and query. */
  String objectPath() {
    return collectionPath() + "/" + name;
  }

  /** The path of the collection the object lives in, without query. */
  String collectionPath() {
    return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
  }

  /** The path without its query string. */
  String withoutQuery() {
    return name == null
        ? collectionPath()
        : objectPath() + (subresource == null ? "" : "/" + subresource);
  }

  /** The decoded value of a query parameter, if present. */
  Optional<String> queryParameter(String key) {
    if (query == null) {
      return Optional.empty();
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(key)) {
        return Optional.of(
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** {@code plural.group}, the name a CRD for this resource has. */
  String resourceName() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
