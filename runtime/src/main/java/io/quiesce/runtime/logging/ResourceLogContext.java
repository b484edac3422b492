package io.quiesce.runtime.logging;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Puts the Kubernetes object being worked on into the MDC, under the keys the Java Operator SDK
 * uses during a reconcile ({@code resource.kind}, {@code resource.namespace}, {@code
 * resource.name}), so one log query by snapshot finds its lines in the operator and in every node
 * helper. Closing it restores what those keys held before.
 *
 * <pre>{@code try (var context = ResourceLogContext.of("QuiescedSnapshot", ns, name)) { ... } }
 * </pre>
 */
public final class ResourceLogContext implements AutoCloseable {
  /** The MDC key of the object's kind. */
  public static final String KIND = "resource.kind";

  /** The MDC key of the object's namespace. */
  public static final String NAMESPACE = "resource.namespace";

  /** The MDC key of the object's name. */
  public static final String NAME = "resource.name";

  private final Map<String, String> previous = new HashMap<>();

  private ResourceLogContext(Map<String, String> values) {
    values.forEach(
        (key, value) -> {
          previous.put(key, MDC.get(key));
          MDC.put(key, value);
        });
  }

  /** Sets the three keys on this thread until {@link #close()}. */
  public static ResourceLogContext of(String kind, String namespace, String name) {
    Map<String, String> values = new HashMap<>();
    values.put(KIND, kind);
    values.put(NAMESPACE, namespace);
    values.put(NAME, name);
    return new ResourceLogContext(values);
  }

  @Override
  public void close() {
    previous.forEach(
        (key, value) -> {
          if (value == null) {
            MDC.remove(key);
          } else {
            MDC.put(key, value);
          }
        });
  }
}
