package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.naming.Provenance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the VolumeSnapshots Quiesce created (one informer, label {@code
 * app.kubernetes.io/managed-by=quiesce}, all namespaces) and tells a freeze window when all of its
 * snapshots are cut ({@code status.creationTime}) or one failed ({@code status.error}). Watch
 * events, not polling: the window ends as soon as the last cut is seen.
 */
final class VolumeSnapshotTracker implements AutoCloseable {
  private static final Logger TRACE = LoggerFactory.getLogger(FreezeEngine.TRACE_LOGGER);
  private final SharedIndexInformer<VolumeSnapshot> informer;
  private final Map<String, Set<CutWaiter>> waitersByKey = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> synced;

  private VolumeSnapshotTracker(KubernetesClient client) {
    this.informer =
        client
            .resources(VolumeSnapshot.class)
            .inAnyNamespace()
            .withLabel(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE)
            .runnableInformer(0);
    informer.addEventHandler(new Handler());
    this.synced = informer.start().toCompletableFuture();
  }

  /**
   * Starts the informer and returns at once: no window may use the tracker before {@link #synced()}
   * completes.
   */
  static VolumeSnapshotTracker start(KubernetesClient client) {
    return new VolumeSnapshotTracker(client);
  }

  /** Completes once the informer has listed Quiesce's VolumeSnapshots (exceptionally if not). */
  CompletableFuture<Void> synced() {
    return synced;
  }

  /**
   * A future that completes with {@link CutOutcome.Kind#ALL_CUT} once every named VolumeSnapshot of
   * the namespace is cut, or with {@link CutOutcome.Kind#FAILED} at the first error. Cancel it (or
   * let it complete) to stop following.
   */
  CompletableFuture<CutOutcome> awaitCuts(String namespace, Collection<String> names) {
    CutWaiter waiter = new CutWaiter(namespace, names);
    for (String key : waiter.keys()) {
      waitersByKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    }
    waiter
        .future()
        .whenComplete(
            (outcome, failure) ->
                waiter
                    .keys()
                    .forEach(
                        key ->
                            waitersByKey.computeIfPresent(
                                key,
                                (k, set) -> {
                                  set.remove(waiter);
                                  return set.isEmpty() ? null : set;
                                })));
    // what the cache already knows, for changes seen before the waiter was registered
    for (String key : waiter.keys()) {
      VolumeSnapshot cached = informer.getStore().getByKey(key);
      if (cached != null) {
        waiter.observe(key, cached.getStatus());
      }
    }
    return waiter.future();
  }

  /**
   * The planned VolumeSnapshots of {@code snapshot} that exist with it as controller, from the
   * informer's cache (synced before the helper takes any snapshot, so it holds what a previous
   * helper left; no request per window).
   */
  List<VolumeSnapshot> existing(QuiescedSnapshot snapshot) {
    List<VolumeSnapshot> found = new ArrayList<>();
    for (VolumeSnapshot planned : PlannedVolumeSnapshots.of(snapshot)) {
      VolumeSnapshot cached =
          informer
              .getStore()
              .getByKey(
                  planned.getMetadata().getNamespace() + "/" + planned.getMetadata().getName());
      if (cached != null && PlannedVolumeSnapshots.ownedBy(cached, snapshot)) {
        found.add(cached);
      }
    }
    return found;
  }

  @Override
  public void close() {
    informer.close();
  }

  private void onChange(VolumeSnapshot snapshot) {
    String key = snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName();
    Set<CutWaiter> waiters = waitersByKey.get(key);
    if (waiters != null) {
      if (snapshot.getStatus() != null && snapshot.getStatus().getCreationTime() != null) {
        TRACE.debug(
            "cut-seen {}", key); // on the informer's thread: when the watch delivered the cut
      }
      waiters.forEach(w -> w.observe(key, snapshot.getStatus()));
    }
  }

  private final class Handler implements ResourceEventHandler<VolumeSnapshot> {
    @Override
    public void onAdd(VolumeSnapshot snapshot) {
      onChange(snapshot);
    }

    @Override
    public void onUpdate(VolumeSnapshot old, VolumeSnapshot snapshot) {
      onChange(snapshot);
    }

    @Override
    public void onDelete(VolumeSnapshot snapshot, boolean deletedFinalStateUnknown) {
      // a snapshot deleted while we wait for its cut never cuts: the deadline ends the wait
    }
  }

  /** The cuts one window waits for. */
  private static final class CutWaiter {
    private final Set<String> keys;
    private final Set<String> uncut = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<CutOutcome> future = new CompletableFuture<>();

    CutWaiter(String namespace, Collection<String> names) {
      this.keys =
          names.stream().map(n -> namespace + "/" + n).collect(Collectors.toUnmodifiableSet());
      uncut.addAll(keys);
    }

    Set<String> keys() {
      return keys;
    }

    CompletableFuture<CutOutcome> future() {
      return future;
    }

    void observe(String key, VolumeSnapshotStatus status) {
      if (status == null) {
        return;
      }
      if (status.getError() != null && status.getError().getMessage() != null) {
        future.complete(
            new CutOutcome(
                CutOutcome.Kind.FAILED,
                "VolumeSnapshot " + key + ": " + status.getError().getMessage()));
      } else if (status.getCreationTime() != null) {
        uncut.remove(key);
        if (uncut.isEmpty()) {
          future.complete(CutOutcome.of(CutOutcome.Kind.ALL_CUT));
        }
      }
    }
  }
}
