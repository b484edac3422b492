package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /version} and API discovery as kube-apiserver answers them: {@code /api}, {@code /apis},
 * {@code /apis/<group>} and the group-version resource lists, and the aggregated discovery document
 * ({@code apidiscovery.k8s.io/v2}) when the client's {@code Accept} asks for it, as kubectl does.
 */
final class DiscoveryEndpoints {
  /** The Kubernetes version the test API server says it is (the kubectl it is tested with). */
  static final String MAJOR = "1";

  static final String MINOR = "35";
  static final String GIT_VERSION = "v1.35.0-quiesce-testkit";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String AGGREGATED =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

  private final ApiCatalog catalog;

  DiscoveryEndpoints(ApiCatalog catalog) {
    this.catalog = catalog;
  }

  /** The answer to a GET of a discovery path; empty for any other path. */
  Optional<MockResponse> answer(String pathAndQuery, String accept) {
    int q = pathAndQuery.indexOf('?');
    String path = (q < 0 ? pathAndQuery : pathAndQuery.substring(0, q)).replaceAll("/+$", "");
    String[] segments = path.isEmpty() ? new String[0] : path.substring(1).split("/");
    if (path.equals("/version")) {
      return Optional.of(json(version()));
    }
    if (path.equals("/api")) {
      return Optional.of(wantsAggregated(accept) ? aggregated(true) : json(apiVersions()));
    }
    if (path.equals("/apis")) {
      return Optional.of(wantsAggregated(accept) ? aggregated(false) : json(groupList()));
    }
    if (segments.length == 2 && segments[0].equals("api")) {
      return resourceList("", segments[1]);
    }
    if (segments.length == 2 && segments[0].equals("apis")) {
      return group(segments[1]);
    }
    if (segments.length == 3 && segments[0].equals("apis")) {
      return resourceList(segments[1], segments[2]);
    }
    return Optional.empty();
  }

  private static ObjectNode version() {
    return JSON.objectNode()
        .put("major", MAJOR)
        .put("minor", MINOR)
        .put("gitVersion", GIT_VERSION)
        .put("gitCommit", "0000000000000000000000000000000000000000")
        .put("gitTreeState", "clean")
        .put("buildDate", "2026-01-01T00:00:00Z")
        .put("goVersion", "go1.25")
        .put("compiler", "gc")
        .put("platform", "linux/amd64");
  }

  private static ObjectNode apiVersions() {
    ObjectNode versions = JSON.objectNode().put("kind", "APIVersions");
    versions.putArray("versions").add("v1");
    versions
        .putArray("serverAddressByClientCIDRs")
        .addObject()
        .put("clientCIDR", "0.0.0.0/0")
        .put("serverAddress", "127.0.0.1");
    return versions;
  }

  private ObjectNode groupList() {
    ObjectNode list = JSON.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    catalog
        .groupVersions()
        .forEach(
            (group, versions) -> {
              if (!group.isEmpty()) {
                groups.add(groupNode(group, versions));
              }
            });
    return list;
  }

  private static ObjectNode groupNode(String group, List<String> versions) {
    ObjectNode node = JSON.objectNode().put("name", group);
    ArrayNode list = node.putArray("versions");
    versions.forEach(v -> list.addObject().put("groupVersion", group + "/" + v).put("version", v));
    node.putObject("preferredVersion")
        .put("groupVersion", group + "/" + versions.get(0))
        .put("version", versions.get(0));
    return node;
  }

  private Optional<MockResponse> group(String group) {
    List<String> versions = catalog.groupVersions().get(group);
    if (versions == null || group.isEmpty()) {
      return Optional.of(notFound());
    }
    return Optional.of(
        json(groupNode(group, versions).put("kind", "APIGroup").put("apiVersion", "v1")));
  }

  private Optional<MockResponse> resourceList(String group, String version) {
    List<ApiResource> resources = catalog.of(group, version);
    if (resources.isEmpty()) {
      return Optional.of(notFound());
    }
    ObjectNode list =
        JSON.objectNode()
            .put("kind", "APIResourceList")
            .put("apiVersion", "v1")
            .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode items = list.putArray("resources");
    for (ApiResource resource : resources) {
      ObjectNode item =
          items
              .addObject()
              .put("name", resource.plural())
              .put("singularName", resource.singular())
              .put("namespaced", resource.namespaced())
              .put("kind", resource.kind());
      strings(item.putArray("verbs"), ApiResource.VERBS);
      if (!resource.shortNames().isEmpty()) {
        strings(item.putArray("shortNames"), resource.shortNames());
      }
      if (!resource.categories().isEmpty()) {
        strings(item.putArray("categories"), resource.categories());
      }
      item.put("storageVersionHash", Integer.toHexString(resource.resourceName().hashCode()));
      for (String subresource : resource.subresources()) {
        ObjectNode sub =
            items
                .addObject()
                .put("name", resource.plural() + "/" + subresource)
                .put("singularName", "")
                .put("namespaced", resource.namespaced())
                .put("kind", subresource.equals("scale") ? "Scale" : resource.kind());
        strings(sub.putArray("verbs"), List.of("get", "patch", "update"));
      }
    }
    return Optional.of(json(list));
  }

  /** The aggregated discovery document of the core group ({@code /api}) or of every other group. */
  private MockResponse aggregated(boolean core) {
    ObjectNode list =
        JSON.objectNode()
            .put("kind", "APIGroupDiscoveryList")
            .put("apiVersion", "apidiscovery.k8s.io/v2");
    list.putObject("metadata");
    ArrayNode items = list.putArray("items");
    for (Map.Entry<String, List<String>> group : catalog.groupVersions().entrySet()) {
      if (group.getKey().isEmpty() != core) {
        continue;
      }
      ObjectNode item = items.addObject();
      item.putObject("metadata").put("name", group.getKey());
      ArrayNode versions = item.putArray("versions");
      for (String version : group.getValue()) {
        ObjectNode versionNode =
            versions.addObject().put("version", version).put("freshness", "Current");
        ArrayNode resources = versionNode.putArray("resources");
        for (ApiResource resource : catalog.of(group.getKey(), version)) {
          ObjectNode node = resources.addObject().put("resource", resource.plural());
          responseKind(node, resource, resource.kind());
          node.put("scope", resource.namespaced() ? "Namespaced" : "Cluster")
              .put("singularResource", resource.singular());
          strings(node.putArray("verbs"), ApiResource.VERBS);
          if (!resource.shortNames().isEmpty()) {
            strings(node.putArray("shortNames"), resource.shortNames());
          }
          if (!resource.categories().isEmpty()) {
            strings(node.putArray("categories"), resource.categories());
          }
          if (!resource.subresources().isEmpty()) {
            ArrayNode subresources = node.putArray("subresources");
            for (String subresource : resource.subresources()) {
              ObjectNode sub = subresources.addObject().put("subresource", subresource);
              responseKind(sub, resource, subresource.equals("scale") ? "Scale" : resource.kind());
              strings(sub.putArray("verbs"), List.of("get", "patch", "update"));
            }
          }
        }
      }
    }
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", AGGREGATED)
        .setBody(list.toString());
  }

  private static void responseKind(ObjectNode node, ApiResource resource, String kind) {
    node.putObject("responseKind")
        .put("group", resource.group())
        .put("version", resource.version())
        .put("kind", kind);
  }

  /** Whether an {@code Accept} header lists the aggregated discovery v2 type. */
  static boolean wantsAggregated(String accept) {
    if (accept == null) {
      return false;
    }
    for (String type : accept.split(",")) {
      List<String> params = List.of(type.replace(" ", "").split(";"));
      if (params.contains("g=apidiscovery.k8s.io")
          && params.contains("v=v2")
          && params.contains("as=APIGroupDiscoveryList")) {
        return true;
      }
    }
    return false;
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  static MockResponse json(ObjectNode body) {
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }

  private static MockResponse notFound() {
    return new ApiStatusException(
            404, "NotFound", "the server could not find the requested resource")
        .toResponse();
  }
}
