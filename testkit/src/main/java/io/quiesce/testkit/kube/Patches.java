package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The patch types the test API server accepts, and what each makes of the stored object. */
final class Patches {

  static final String APPLY = "application/apply-patch+yaml";
  private static final String MERGE = "application/merge-patch+json";
  private static final String STRATEGIC = "application/strategic-merge-patch+json";
  private static final String JSON_PATCH = "application/json-patch+json";

  private Patches() {}

  static boolean isApply(String contentType) {
    return mediaType(contentType).equals(APPLY);
  }

  /**
   * The whole object a (non-apply) patch asks for.
   *
   * @param customResource whether the object is a custom resource, which has no strategic merge
   */
  static ObjectNode patched(
      String contentType, ObjectNode live, String body, boolean customResource)
      throws ApiStatusException {
    String type = mediaType(contentType);
    JsonNode patch = RequestBodies.json(body);
    if (type.equals(MERGE) || (type.equals(STRATEGIC) && !customResource)) {
      // for strategic merge, list merge keys are not modelled: lists replace, as in a merge patch
      return (ObjectNode) mergePatch(live, patch);
    }
    if (type.equals(JSON_PATCH)) {
      return jsonPatch(live, patch);
    }
    // also a real API server's answer to a strategic merge patch of a custom resource
    throw new ApiStatusException(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown"
            + " format - accepted media types include: application/json-patch+json,"
            + " application/merge-patch+json, application/apply-patch+yaml");
  }

  /**
   * JSON merge patch (RFC 7386): objects merge recursively, {@code null} removes a field, and
   * anything else, arrays included, replaces the target value. Copy on write: each object the patch
   * reaches is copied (one level), everything else is shared, the target's untouched subtrees
   * (stored trees are never changed: see {@code ParsedObjects}) and the patch's values (the patch
   * is the caller's own, and not read again). Sharing keeps the unchanged subtrees identical, so
   * the equality checks of the write (schema ratcheting, pruning, defaulting, generation) answer
   * for them at once; deep-copying the whole stored object was a quarter of a status patch's work.
   */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    if (target != null && target.isObject()) {
      result.setAll((ObjectNode) target);
    }
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      JsonNode value = field.getValue();
      if (value.isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), value));
      }
    }
    return result;
  }

  /**
   * Server-side apply, without field ownership: the applied configuration is merged like a merge
   * patch, except that {@code metadata.finalizers} is a set (as {@code +listType=set} makes it on a
   * real server), so applying one finalizer keeps the finalizers other managers added. {@code
   * managedFields} in the applied configuration are ignored, as they are server-owned.
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

  private static ObjectNode jsonPatch(ObjectNode live, JsonNode patch) throws ApiStatusException {
    try {
      return (ObjectNode) JsonPatch.apply(patch, live);
    } catch (RuntimeException e) {
      // zjsonpatch reports a patch that does not fit the object with unchecked exceptions
      throw ApiStatusException.invalid("the JSON patch could not be applied: " + e.getMessage());
    }
  }

  /** The media type without parameters such as {@code charset}. */
  private static String mediaType(String contentType) {
    String type = contentType == null ? "" : contentType;
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }
}
