package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.function.Function;

/**
 * A get or list answered by the store, then shaped as the client asked: list options
 * ({@link ListQuery}) and the Table format ({@link TableFormat}).
 */
final class ReadOptions {
    private ReadOptions() {
    }

    /**
     * @param path the parsed request path (not a watch)
     * @param store answers a request path from the store
     */
    static MockResponse answer(ResourcePath path, RecordedRequest request, ApiCatalog catalog, TableFormat tables,
            Function<String, MockResponse> store) {
        boolean list = path.name() == null;
        boolean table = TableFormat.wanted(request.getHeader("Accept")) && path.subresource() == null;
        boolean options = list && ListQuery.handles(path);
        if (!table && !options) {
            return store.apply(request.getPath());
        }
        MockResponse stored = store.apply(options ? ListQuery.storePath(path) : request.getPath());
        if (stored.code() != 200) {
            return stored;
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
                ApiResource resource = catalog.find(path).orElseGet(() -> ApiResource.builtIn(path.group(),
                        "v1", "Object", path.plural(), path.namespace() != null, List.of(), List.of()));
                boolean includeObject = path.queryParameter("includeObject").filter("Object"::equals).isPresent();
                answer = tables.table(resource, object, includeObject);
            }
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(answer.toString());
        } catch (ApiStatusException e) {
            return e.toResponse();
        }
    }
}
