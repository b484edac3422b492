package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a real API server applies when an object is written, independent of how the request
 * expressed the change (PUT, merge patch, JSON patch, apply): what a status write may change, which
 * metadata the server owns, when {@code generation} moves, and the resourceVersion precondition.
 */
final class ObjectUpdate {

  static final String METADATA = "metadata";
  static final String STATUS = "status";
  static final String RESOURCE_VERSION = "resourceVersion";
  static final String GENERATION = "generation";
  static final String DELETION_TIMESTAMP = "deletionTimestamp";
  static final String FINALIZERS = "finalizers";

  /** Metadata only the server sets; a client's value is ignored. */
  private static final List<String> SERVER_OWNED_METADATA =
      List.of(
          "name",
          "namespace",
          "uid",
          "creationTimestamp",
          RESOURCE_VERSION,
          GENERATION,
          DELETION_TIMESTAMP,
          "deletionGracePeriodSeconds",
          "managedFields",
          "selfLink");

  private ObjectUpdate() {}

  /**
   * The object as the server would store it.
   *
   * @param current the stored object (not changed; the result may share its subtrees, which are
   *     never changed either)
   * @param requested the whole object the request asks for (a PUT body, or the stored object with
   *     the patch applied): a tree of the caller's own, which the result is made of, except the
   *     subtrees it shares with {@code current}; its own metadata object (the server writes there)
   *     is made a copy of its own first
   * @param toStatus whether the request went to the {@code /status} subresource
   * @param statusSubresource whether the kind has a status subresource
   */
  static ObjectNode next(
      ResourcePath path,
      ObjectNode current,
      ObjectNode requested,
      boolean toStatus,
      boolean statusSubresource)
      throws ApiStatusException {
    checkResourceVersion(path, current, requested);
    ObjectNode next;
    if (toStatus) {
      next = statusWrite(current, requested);
      ownMetadata(current, next);
    } else {
      next = requested;
      if (statusSubresource) {
        copyField(current, next, STATUS);
      }
      ensureMetadata(next);
      ownMetadata(current, next);
      for (String field : SERVER_OWNED_METADATA) {
        copyField((ObjectNode) current.get(METADATA), (ObjectNode) next.get(METADATA), field);
      }
      rejectNewFinalizersWhileDeleting(current, next);
      if (specChanged(current, next, statusSubresource)) {
        metadata(next).put(GENERATION, current.path(METADATA).path(GENERATION).asLong(0) + 1);
      }
    }
    return next;
  }

  /**
   * A status write changes status only, everything else is the stored object's, in its order (its
   * subtrees, shared: stored trees are not changed).
   */
  private static ObjectNode statusWrite(ObjectNode current, ObjectNode requested) {
    ObjectNode next = requested.objectNode();
    for (Map.Entry<String, JsonNode> field : current.properties()) {
      String name = field.getKey();
      JsonNode asked = requested.get(name);
      if (name.equals(STATUS)) {
        if (asked != null) {
          next.set(STATUS, asked);
        }
      } else {
        next.set(name, field.getValue());
      }
    }
    if (!current.has(STATUS) && requested.has(STATUS)) {
      next.set(STATUS, requested.get(STATUS));
    }
    return next;
  }

  /**
   * The object marked for deletion, as a DELETE of an object with finalizers leaves it: with a
   * deletionTimestamp and, for objects that use generation, the generation moved on.
   */
  static ObjectNode markedForDeletion(ObjectNode current) {
    ObjectNode next = current.deepCopy();
    ObjectNode metadata = metadata(next);
    metadata.put(DELETION_TIMESTAMP, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    metadata.put("deletionGracePeriodSeconds", 0);
    long generation = metadata.path(GENERATION).asLong(0);
    if (generation > 0) {
      metadata.put(GENERATION, generation + 1);
    }
    return next;
  }

  static boolean isTerminating(JsonNode object) {
    return object.path(METADATA).hasNonNull(DELETION_TIMESTAMP);
  }

  static boolean hasFinalizers(JsonNode object) {
    return !object.path(METADATA).path(FINALIZERS).isEmpty();
  }

  /** On update and patch a resourceVersion in the request is a precondition (409 when stale). */
  private static void checkResourceVersion(ResourcePath path, JsonNode current, JsonNode requested)
      throws ApiStatusException {
    String wanted = requested.path(METADATA).path(RESOURCE_VERSION).asText("");
    if (!wanted.isEmpty()
        && !wanted.equals(current.path(METADATA).path(RESOURCE_VERSION).asText())) {
      throw ApiStatusException.conflict(path);
    }
  }

  private static void rejectNewFinalizersWhileDeleting(JsonNode current, JsonNode next)
      throws ApiStatusException {
    if (!isTerminating(current)) {
      return;
    }
    Set<String> before = new HashSet<>();
    current.path(METADATA).path(FINALIZERS).forEach(f -> before.add(f.asText()));
    for (JsonNode finalizer : next.path(METADATA).path(FINALIZERS)) {
      if (!before.contains(finalizer.asText())) {
        throw new ApiStatusException(
            422,
            "Forbidden",
            "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted,"
                + " found new finalizers [\""
                + finalizer.asText()
                + "\"]");
      }
    }
  }

  /**
   * Any change outside metadata (and outside status, when status is a subresource) is a spec
   * change.
   */
  private static boolean specChanged(
      ObjectNode current, ObjectNode next, boolean statusSubresource) {
    // field by field: copying both trees to drop metadata and status cost two deep copies a write
    Set<String> fields = new HashSet<>();
    current.fieldNames().forEachRemaining(fields::add);
    next.fieldNames().forEachRemaining(fields::add);
    for (String field : fields) {
      if (field.equals(METADATA) || (statusSubresource && field.equals(STATUS))) {
        continue;
      }
      if (!java.util.Objects.equals(current.get(field), next.get(field))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Makes {@code next}'s metadata object its own (one level) if it is {@code current}'s, as the
   * server writes into it (generation, resourceVersion) and stored trees are not to change.
   */
  private static void ownMetadata(ObjectNode current, ObjectNode next) {
    JsonNode metadata = next.get(METADATA);
    if (metadata != null && metadata == current.get(METADATA)) {
      next.set(METADATA, next.objectNode().setAll((ObjectNode) metadata));
    }
  }

  private static void ensureMetadata(ObjectNode object) {
    if (!object.path(METADATA).isObject()) {
      object.putObject(METADATA);
    }
  }

  private static ObjectNode metadata(ObjectNode object) {
    return (ObjectNode) object.get(METADATA);
  }

  /** Makes {@code to.field} what {@code from.field} is, including absent (shared, not copied). */
  private static void copyField(ObjectNode from, ObjectNode to, String field) {
    JsonNode value = from.get(field);
    if (value == null) {
      to.remove(field);
    } else {
      to.set(field, value);
    }
  }

  private static final String NAME_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  private static final java.security.SecureRandom NAME_SUFFIXES = new java.security.SecureRandom();

  /**
   * The object, named from its {@code metadata.generateName} plus five random characters when it
   * has no name, as the API server names it on create (the store needs a name).
   */
  static ObjectNode withGeneratedName(ObjectNode object) {
    JsonNode meta = object.path(METADATA);
    if (meta instanceof ObjectNode metadata
        && metadata.path("name").asText("").isEmpty()
        && !metadata.path("generateName").asText("").isEmpty()) {
      StringBuilder name = new StringBuilder(metadata.get("generateName").asText());
      for (int i = 0; i < 5; i++) {
        name.append(NAME_SUFFIX_CHARS.charAt(NAME_SUFFIXES.nextInt(NAME_SUFFIX_CHARS.length())));
      }
      metadata.put("name", name.toString());
    }
    return object;
  }
}
