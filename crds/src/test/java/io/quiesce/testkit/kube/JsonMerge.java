package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The merge rules of the patch types the test API server accepts. */
final class JsonMerge {

    private JsonMerge() {
    }

    /**
     * JSON merge patch (RFC 7386): objects merge recursively, {@code null} removes a field, and
     * anything else, arrays included, replaces the target value.
     */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    /**
     * Server-side apply, without field ownership: the applied configuration is merged like a merge
     * patch, except that {@code metadata.finalizers} is a set (as {@code +listType=set} makes it on a
     * real server), so applying one finalizer keeps the finalizers other managers added.
     * {@code managedFields} in the applied configuration are ignored, as they are server-owned.
     */
    static ObjectNode apply(ObjectNode live, ObjectNode applied) {
        ObjectNode config = applied.deepCopy();
        if (config.path("metadata").isObject()) {
            ((ObjectNode) config.get("metadata")).remove("managedFields");
        }
        ObjectNode merged = (ObjectNode) mergePatch(live, config);
        JsonNode appliedFinalizers = applied.path("metadata").path("finalizers");
        JsonNode liveFinalizers = live.path("metadata").path("finalizers");
        if (appliedFinalizers.isArray() && liveFinalizers.isArray()) {
            Set<String> union = new LinkedHashSet<>();
            liveFinalizers.forEach(f -> union.add(f.asText()));
            appliedFinalizers.forEach(f -> union.add(f.asText()));
            ArrayNode finalizers = ((ObjectNode) merged.get("metadata")).putArray("finalizers");
            union.forEach(finalizers::add);
        }
        return merged;
    }
}
