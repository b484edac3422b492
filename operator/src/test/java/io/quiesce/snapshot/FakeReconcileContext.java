package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.ResourceOperations;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.csi.VolumeSnapshot;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A FAKE of JOSDK's reconcile {@link Context}, so a test can call the reconciler itself with the
 * copies it chooses: a primary cache frozen at a moment (an informer that lags the API server) and
 * the snapshot's VolumeSnapshots read live. Only what the snapshot reconciler uses is there; any
 * other call fails loudly.
 */
final class FakeReconcileContext {

  private FakeReconcileContext() {}

  /**
   * A context whose primary cache holds exactly {@code cache} and whose VolumeSnapshots come from
   * the server.
   */
  @SuppressWarnings("unchecked")
  static Context<QuiescedSnapshot> of(
      KubernetesClient client, QuiescedSnapshot primary, List<QuiescedSnapshot> cache) {
    IndexedResourceCache<QuiescedSnapshot> primaryCache =
        (IndexedResourceCache<QuiescedSnapshot>)
            proxy(
                IndexedResourceCache.class,
                (self, method, args) ->
                    switch (method.getName()) {
                      case "list" ->
                          args != null && args.length == 1 && args[0] instanceof Predicate<?> p
                              ? cache.stream().filter((Predicate<QuiescedSnapshot>) p)
                              : cache.stream();
                      case "get" ->
                          cache.stream()
                              .filter(s -> ResourceID.fromResource(s).equals(args[0]))
                              .findFirst();
                      default -> otherwise(self, method, args);
                    });
    return (Context<QuiescedSnapshot>)
        proxy(
            Context.class,
            (self, method, args) ->
                switch (method.getName()) {
                  case "getPrimaryCache" -> primaryCache;
                  case "getPrimaryResource" -> primary;
                  case "getClient" -> client;
                  case "resourceOperations" ->
                      new UncachedOperations((Context<QuiescedSnapshot>) self);
                  case "eventSourceRetriever" ->
                      proxy(
                          EventSourceRetriever.class,
                          (r, m, a) ->
                              switch (m.getName()) {
                                case "getControllerEventSource" ->
                                    null; // UncachedOperations caches nothing
                                default -> otherwise(r, m, a);
                              });
                  case "getSecondaryResources" ->
                      args[0] == VolumeSnapshot.class
                          ? owned(client, primary)
                          : failUnsupported(method.getName());
                  default -> otherwise(self, method, args);
                });
  }

  /**
   * JOSDK's operations without its cache: the write goes to the server and nothing else (no
   * operator runs).
   */
  private static final class UncachedOperations extends ResourceOperations<QuiescedSnapshot> {
    UncachedOperations(Context<QuiescedSnapshot> context) {
      super(context);
    }

    @Override
    public <R extends HasMetadata> R resourcePatch(
        R resource,
        UnaryOperator<R> write,
        ManagedInformerEventSource<R, QuiescedSnapshot, ?> cache) {
      return write.apply(resource);
    }
  }

  private static Set<VolumeSnapshot> owned(KubernetesClient client, QuiescedSnapshot primary) {
    Set<VolumeSnapshot> owned = new HashSet<>();
    for (VolumeSnapshot v :
        client
            .resources(VolumeSnapshot.class)
            .inNamespace(primary.getMetadata().getNamespace())
            .list()
            .getItems()) {
      if (v.getMetadata().getOwnerReferences().stream()
          .anyMatch(o -> o.getUid().equals(primary.getMetadata().getUid()))) {
        owned.add(v);
      }
    }
    return owned;
  }

  private static Object failUnsupported(String method) {
    throw new UnsupportedOperationException("FakeReconcileContext has no " + method);
  }

  private static Object proxy(Class<?> type, InvocationHandler handler) {
    return Proxy.newProxyInstance(
        FakeReconcileContext.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /** Default methods run as written (they call the ones faked here); anything else is not faked. */
  private static Object otherwise(Object self, Method method, Object[] args) throws Throwable {
    if (!method.isDefault()) {
      return failUnsupported(method.getName());
    }
    return InvocationHandler.invokeDefault(self, method, args);
  }
}
