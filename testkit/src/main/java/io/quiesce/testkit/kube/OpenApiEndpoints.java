package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /openapi/v3} (the index and one document per group version) and {@code /openapi/v2}, built
 * from {@link ApiCatalog}: each CRD version's {@code openAPIV3Schema} as a component with its
 * {@code x-kubernetes-group-version-kind}, so that {@code kubectl explain} works, and paths whose
 * operations take {@code fieldValidation}, so that kubectl leaves validation to this server.
 * Built-in kinds get open schemas: the test API server does not carry Kubernetes' own model.
 *
 * <p>{@code /openapi/v2} is served as JSON only; a client that accepts only protobuf (kubectl's v2
 * fallback) is answered 406, on which it keeps to v3.
 */
final class OpenApiEndpoints {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
  private static final String V3 = "/openapi/v3";

  private final ApiCatalog catalog;

  OpenApiEndpoints(ApiCatalog catalog) {
    this.catalog = catalog;
  }

  Optional<MockResponse> answer(String pathAndQuery, String accept) {
    int q = pathAndQuery.indexOf('?');
    String path = (q < 0 ? pathAndQuery : pathAndQuery.substring(0, q)).replaceAll("/+$", "");
    if (path.equals("/openapi/v2")) {
      if (accept != null && !accept.contains("json") && !accept.contains("*/*")) {
        return Optional.of(
            new ApiStatusException(
                    406, "NotAcceptable", "only application/json is served for /openapi/v2")
                .toResponse());
      }
      return Optional.of(DiscoveryEndpoints.json(v2()));
    }
    if (path.equals(V3)) {
      return Optional.of(DiscoveryEndpoints.json(index()));
    }
    if (path.startsWith(V3 + "/")) {
      String[] gv = path.substring(V3.length() + 1).split("/");
      if (gv.length == 2 && gv[0].equals("api")) {
        return Optional.of(document("", gv[1]));
      }
      if (gv.length == 3 && gv[0].equals("apis")) {
        return Optional.of(document(gv[1], gv[2]));
      }
      return Optional.of(
          new ApiStatusException(404, "NotFound", "no OpenAPI document at " + path).toResponse());
    }
    return Optional.empty();
  }

  private ObjectNode index() {
    ObjectNode index = JSON.objectNode();
    ObjectNode paths = index.putObject("paths");
    for (Map.Entry<String, List<String>> group : catalog.groupVersions().entrySet()) {
      for (String version : group.getValue()) {
        String gv =
            group.getKey().isEmpty() ? "api/" + version : "apis/" + group.getKey() + "/" + version;
        // the hash changes when the group version's resources do, so that kubectl's cache follows
        int hash =
            catalog.of(group.getKey(), version).stream()
                .mapToInt(r -> r.schema().hashCode() * 31 + r.plural().hashCode())
                .sum();
        paths
            .putObject(gv)
            .put("serverRelativeURL", V3 + "/" + gv + "?hash=" + Integer.toHexString(hash));
      }
    }
    return index;
  }

  private MockResponse document(String group, String version) {
    List<ApiResource> resources = catalog.of(group, version);
    if (resources.isEmpty()) {
      return new ApiStatusException(
              404, "NotFound", "no OpenAPI document for " + group + "/" + version)
          .toResponse();
    }
    ObjectNode doc = JSON.objectNode().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", DiscoveryEndpoints.GIT_VERSION);
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    schemas.set(OBJECT_META, objectMeta());
    for (ApiResource resource : resources) {
      String name = schemaName(resource);
      schemas.set(name, kindSchema(resource));
      String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
      String collection =
          prefix + (resource.namespaced() ? "/namespaces/{namespace}/" : "/") + resource.plural();
      String ref = "#/components/schemas/" + name;
      ObjectNode collectionPath = paths.putObject(collection);
      collectionPath.set("get", operation(resource, "list", ref, false));
      collectionPath.set("post", operation(resource, "create", ref, true));
      ObjectNode objectPath = paths.putObject(collection + "/{name}");
      objectPath.set("get", operation(resource, "read", ref, false));
      objectPath.set("put", operation(resource, "replace", ref, true));
      objectPath.set("patch", operation(resource, "patch", ref, true));
      objectPath.set("delete", operation(resource, "delete", ref, false));
      for (String subresource : resource.subresources()) {
        ObjectNode sub = paths.putObject(collection + "/{name}/" + subresource);
        sub.set("get", operation(resource, "read", ref, false));
        sub.set("put", operation(resource, "replace", ref, true));
        sub.set("patch", operation(resource, "patch", ref, true));
      }
    }
    return DiscoveryEndpoints.json(doc);
  }

  private static ObjectNode operation(
      ApiResource resource, String action, String ref, boolean write) {
    ObjectNode op = JSON.objectNode().put("operationId", action + resource.kind());
    // an object on operations (a list on schemas), as kube-apiserver writes it and kubectl reads it
    op.putObject("x-kubernetes-group-version-kind")
        .put("group", resource.group())
        .put("version", resource.version())
        .put("kind", resource.kind());
    op.put(
        "x-kubernetes-action",
        switch (action) {
          case "read" -> "get";
          case "replace" -> "put";
          case "create" -> "post";
          default -> action;
        });
    ArrayNode parameters = op.putArray("parameters");
    if (write) {
      for (String param : List.of("dryRun", "fieldManager", "fieldValidation")) {
        parameters
            .addObject()
            .put("name", param)
            .put("in", "query")
            .putObject("schema")
            .put("type", "string");
      }
      if (action.equals("patch")) {
        parameters
            .addObject()
            .put("name", "force")
            .put("in", "query")
            .putObject("schema")
            .put("type", "boolean");
      }
    }
    op.putObject("responses")
        .putObject("200")
        .putObject("content")
        .putObject("application/json")
        .putObject("schema")
        .put("$ref", ref);
    return op;
  }

  /**
   * A kind's component: its schema, with apiVersion, kind and metadata as the API server adds them.
   */
  private static ObjectNode kindSchema(ApiResource resource) {
    ObjectNode schema = resource.schema().deepCopy();
    if (!schema.has("description")) {
      schema.put("description", resource.kind() + " of " + resource.groupVersion());
    }
    ObjectNode properties =
        schema.has("properties")
            ? (ObjectNode) schema.get("properties")
            : schema.putObject("properties");
    properties
        .putObject("apiVersion")
        .put("type", "string")
        .put(
            "description",
            "APIVersion defines the versioned schema of this representation of an object.");
    properties
        .putObject("kind")
        .put("type", "string")
        .put(
            "description",
            "Kind is a string value representing the REST resource this object represents.");
    ObjectNode metadata = properties.putObject("metadata");
    metadata.put("description", "Standard object's metadata.");
    metadata.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + OBJECT_META);
    schema
        .putArray("x-kubernetes-group-version-kind")
        .addObject()
        .put("group", resource.group())
        .put("version", resource.version())
        .put("kind", resource.kind());
    return schema;
  }

  private static ObjectNode objectMeta() {
    ObjectNode meta =
        JSON.objectNode()
            .put("type", "object")
            .put("description", "ObjectMeta is metadata that all persisted resources must have.");
    ObjectNode properties = meta.putObject("properties");
    for (String field :
        List.of(
            "name",
            "namespace",
            "generateName",
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "deletionTimestamp")) {
      properties.putObject(field).put("type", "string");
    }
    properties.putObject("generation").put("type", "integer").put("format", "int64");
    for (String map : List.of("labels", "annotations")) {
      properties
          .putObject(map)
          .put("type", "object")
          .putObject("additionalProperties")
          .put("type", "string");
    }
    for (String list : List.of("finalizers")) {
      properties.putObject(list).put("type", "array").putObject("items").put("type", "string");
    }
    properties
        .putObject("ownerReferences")
        .put("type", "array")
        .putObject("items")
        .put("type", "object")
        .put("x-kubernetes-preserve-unknown-fields", true);
    properties
        .putObject("managedFields")
        .put("type", "array")
        .putObject("items")
        .put("type", "object")
        .put("x-kubernetes-preserve-unknown-fields", true);
    return meta;
  }

  /**
   * Swagger 2.0 with the same kinds as definitions (the Kubernetes schema dialect is the same
   * there).
   */
  private ObjectNode v2() {
    ObjectNode doc = JSON.objectNode().put("swagger", "2.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", DiscoveryEndpoints.GIT_VERSION);
    doc.putObject("paths");
    ObjectNode definitions = doc.putObject("definitions");
    definitions.set(OBJECT_META, objectMeta());
    for (ApiResource resource : catalog.all()) {
      ObjectNode schema = kindSchema(resource);
      JsonNode metadata = schema.path("properties").path("metadata");
      ((ObjectNode) metadata)
          .putArray("allOf")
          .addObject()
          .put("$ref", "#/definitions/" + OBJECT_META);
      definitions.set(schemaName(resource), schema);
    }
    return doc;
  }

  /**
   * As kube-apiserver names them: the group reversed, e.g. {@code
   * io.quiesce.v1alpha1.QuiescedSnapshot}.
   */
  static String schemaName(ApiResource resource) {
    if (resource.group().isEmpty()) {
      return "io.k8s.api.core." + resource.version() + "." + resource.kind();
    }
    String[] parts = resource.group().split("\\.");
    StringBuilder reversed = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      reversed.append(parts[i].toLowerCase(Locale.ROOT)).append('.');
    }
    return reversed + resource.version() + "." + resource.kind();
  }
}
