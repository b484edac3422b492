package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An index of the mock server's store by resource and by resource + name, so that a request looks
 * at the objects of its kind (or of its name) instead of every stored object: fabric8's CRUD
 * dispatcher answers each get, list, write and watch by matching every entry of its store, which
 * made a 1,000-VM round spend over 90 % of the server's time in those scans.
 *
 * <p>It only narrows: every candidate is still matched against the full query, so answers are the
 * parent's. Within a kind, candidates keep the store's order (insertion, an update moves an object
 * last), as fabric8's {@code LinkedHashMap} does. Thread-safe; kept current by {@link
 * #moved(AttributeSet, AttributeSet, String)} on every store change.
 */
final class StoreIndex {

  /** The attribute fabric8 makes of a {@code fieldSelector=metadata.name=...} requirement. */
  private static final String FIELD_NAME = "metadata.name";

  private final Map<AttributeSet, String> store;

  /**
   * Each bucket holds the stored values too, as the store does, so that a lookup reads no entry of
   * the store (hashing an {@link AttributeSet} walks all its attributes, each time).
   */
  private final Map<String, Map<AttributeSet, String>> byResource = new HashMap<>();

  private final Map<String, Map<AttributeSet, String>> byResourceAndName = new HashMap<>();

  /**
   * @param store the parent's store (a synchronized map), only read here
   */
  StoreIndex(Map<AttributeSet, String> store) {
    this.store = store;
  }

  /**
   * Records that the object stored under {@code oldKey} (null: none) is now stored under {@code
   * newKey} as {@code newState} (null: deleted).
   */
  synchronized void moved(AttributeSet oldKey, AttributeSet newKey, String newState) {
    if (oldKey != null) {
      remove(byResource, resourceKey(oldKey), oldKey);
      remove(byResourceAndName, nameKey(oldKey), oldKey);
    }
    if (newKey != null && newState != null) {
      add(byResource, resourceKey(newKey), newKey, newState);
      add(byResourceAndName, nameKey(newKey), newKey, newState);
    }
  }

  synchronized void clear() {
    byResource.clear();
    byResourceAndName.clear();
  }

  /** The stored objects whose key matches the query, in store order. */
  List<Map.Entry<AttributeSet, String>> matching(AttributeSet query) {
    List<Map.Entry<AttributeSet, String>> out = new ArrayList<>();
    for (Map.Entry<AttributeSet, String> e : candidates(query)) {
      if (e.getKey().matches(query)) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * The first stored object matching the query, as fabric8's {@code findResource} answers; null if
   * none.
   */
  Map.Entry<AttributeSet, String> first(AttributeSet query) {
    for (Map.Entry<AttributeSet, String> e : candidates(query)) {
      if (e.getKey().matches(query)) {
        return e;
      }
    }
    return null;
  }

  /** Whether a query names one resource (a plural), so that the index narrows it. */
  static boolean narrows(AttributeSet query) {
    return single(query, KubernetesAttributesExtractor.PLURAL).isPresent();
  }

  /**
   * A superset of the stored objects matching the query (the whole store when it names no
   * resource), in store order.
   */
  List<Map.Entry<AttributeSet, String>> candidates(AttributeSet query) {
    Optional<String> resource = single(query, KubernetesAttributesExtractor.PLURAL);
    if (resource.isEmpty()) {
      synchronized (store) {
        return List.copyOf(store.entrySet());
      }
    }
    // a field selector on metadata.name is its own attribute in fabric8's queries: narrow by it too
    Optional<String> name =
        single(query, KubernetesAttributesExtractor.NAME).or(() -> single(query, FIELD_NAME));
    synchronized (this) {
      Map<AttributeSet, String> bucket =
          name.isPresent()
              ? byResourceAndName.get(resource.get() + "/" + name.get())
              : byResource.get(resource.get());
      if (bucket == null) {
        return List.of();
      }
      List<Map.Entry<AttributeSet, String>> out = new ArrayList<>(bucket.size());
      bucket.forEach((key, value) -> out.add(Map.entry(key, value)));
      return out;
    }
  }

  /**
   * The one value of an attribute the query requires ({@code key=value}), if it has exactly that.
   */
  private static Optional<String> single(AttributeSet query, String key) {
    Attribute attribute = query.getAttribute(key);
    if (attribute == null
        || attribute.getType() != AttributeType.WITH
        || attribute.getValues().size() != 1) {
      return Optional.empty();
    }
    return Optional.of(attribute.getValues().get(0).toString());
  }

  /** The resource (plural) a stored object's key or a query names, or "" if none. */
  static String resourceOf(AttributeSet key) {
    return resourceKey(key);
  }

  private static String resourceKey(AttributeSet key) {
    return single(key, KubernetesAttributesExtractor.PLURAL).orElse("");
  }

  private static String nameKey(AttributeSet key) {
    return resourceKey(key) + "/" + single(key, KubernetesAttributesExtractor.NAME).orElse("");
  }

  private static void add(
      Map<String, Map<AttributeSet, String>> index, String bucket, AttributeSet key, String value) {
    index.computeIfAbsent(bucket, b -> new LinkedHashMap<>()).put(key, value);
  }

  private static void remove(
      Map<String, Map<AttributeSet, String>> index, String bucket, AttributeSet key) {
    Map<AttributeSet, String> keys = index.get(bucket);
    if (keys != null && keys.remove(key) != null && keys.isEmpty()) {
      index.remove(bucket);
    }
  }
}
