package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A get or list answered by the store, then shaped as the client asked: list options ({@link
 * ListQuery}) and the Table format ({@link TableFormat}).
 */
final class ReadOptions {
  /** How fabric8's composer starts every list. */
  private static final String UNTYPED_LIST = "{\"apiVersion\":\"v1\",\"kind\":\"List\",";

  private ReadOptions() {}

  /**
   * A list as a real server types it ({@code SecretList} of {@code v1}, {@code
   * QuiescedSnapshotList} of {@code quiesce.io/v1alpha1}) rather than the store's untyped {@code
   * List}: client-go's typed clients (helm's release storage) cannot decode an untyped one.
   */
  private static MockResponse typedList(
      MockResponse stored, ResourcePath path, ApiCatalog catalog) {
    Optional<ApiResource> resource = catalog.find(path);
    String body = stored.getBody().readUtf8();
    if (resource.isPresent() && body.startsWith(UNTYPED_LIST)) {
      body =
          "{\"apiVersion\":\""
              + resource.get().groupVersion()
              + "\",\"kind\":\""
              + resource.get().kind()
              + "List\","
              + body.substring(UNTYPED_LIST.length());
    }
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  /**
   * @param path the parsed request path (not a watch)
   * @param store answers a request path from the store
   */
  static MockResponse answer(
      ResourcePath path,
      RecordedRequest request,
      ApiCatalog catalog,
      TableFormat tables,
      Function<String, MockResponse> store) {
    boolean list = path.name() == null;
    boolean table = TableFormat.wanted(request.getHeader("Accept")) && path.subresource() == null;
    boolean options = list && ListQuery.handles(path);
    if (!table && !options) {
      MockResponse stored = store.apply(request.getPath());
      return list && stored.code() == 200 ? typedList(stored, path, catalog) : stored;
    }
    MockResponse stored = store.apply(options ? ListQuery.storePath(path) : request.getPath());
    if (stored.code() != 200) {
      return stored;
    }
    if (list) {
      stored = typedList(stored, path, catalog);
    }
    try {
      JsonNode body = RequestBodies.object(stored.getBody().readUtf8());
      if (!(body instanceof ObjectNode object) || (list && !body.has("items"))) {
        return stored;
      }
      if (options) {
        ListQuery.apply(path, object);
      }
      JsonNode answer = object;
      if (table) {
        ApiResource resource =
            catalog
                .find(path)
                .orElseGet(
                    () ->
                        ApiResource.builtIn(
                            path.group(),
                            "v1",
                            "Object",
                            path.plural(),
                            path.namespace() != null,
                            List.of(),
                            List.of()));
        boolean includeObject =
            path.queryParameter("includeObject").filter("Object"::equals).isPresent();
        answer = tables.table(resource, object, includeObject);
      }
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/json")
          .setBody(answer.toString());
    } catch (ApiStatusException e) {
      return e.toResponse();
    }
  }
}
