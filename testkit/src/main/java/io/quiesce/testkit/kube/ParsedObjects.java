package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.quiesce.api.CrdSchema;
import java.util.HashMap;
import java.util.Map;

/**
 * The parsed tree of each object the server stored from a tree (a create, update or patch), kept
 * with the stored JSON, so that the next write of that object need not parse it again, and the
 * schema whose checks it passed before it was stored (null: none, or not known). An object the
 * parent's create stored (see {@code KubeApiDispatcher#created}) has no tree here: it is parsed
 * when first changed.
 *
 * <p>An entry answers only for the exact string the store holds (compared by identity), so a write
 * that bypasses this class (the parent's handlers) leaves no stale tree behind. Guarded by the
 * server's write lock.
 */
final class ParsedObjects {

  /**
   * A stored object's tree (null: not kept; never changed once stored: writes copy what they change
   * and share the rest, see {@link Patches#mergePatch}) and the schema it passed.
   */
  record Parsed(String json, ObjectNode tree, CrdSchema passed) {}

  private final Map<AttributeSet, Parsed> byKey = new HashMap<>();

  /** The entry for the object stored under {@code key} as {@code json}, if it is this one's. */
  Parsed get(AttributeSet key, String json) {
    Parsed parsed = byKey.get(key);
    return parsed != null && parsed.json() == json ? parsed : null;
  }

  /** The object under {@code oldKey} moved to {@code newKey} (null: deleted) as {@code parsed}. */
  void moved(AttributeSet oldKey, AttributeSet newKey, Parsed parsed) {
    if (oldKey != null) {
      byKey.remove(oldKey);
    }
    if (newKey != null && parsed != null) {
      byKey.put(newKey, parsed);
    }
  }

  void clear() {
    byKey.clear();
  }
}
