package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.freeze.GuestRef;
import io.quiesce.naming.Provenance;
import io.quiesce.runtime.logging.ResourceLogContext;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the QuiescedSnapshots assigned to this node (label {@code quiesce.io/node=<node>}) and
 * runs each runnable one at most once, on a pool as large as the node's freeze cap. Tells a running
 * window when its snapshot is deleted, so that it thaws at once. Its informer starts while start-up
 * still surveys the node's guests; no window is handed to the pool before {@code windowsMayStart}
 * completes (and none at all if it never does).
 */
final class AssignedSnapshotWatcher implements AutoCloseable {
  static final Duration RETRY_DELAY = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(AssignedSnapshotWatcher.class);

  private final String node;
  private final FreezeWindowRunner runner;
  private final ThreadPoolExecutor windows;
  private final ScheduledExecutorService retries;

  /** UIDs taken on by this process: each runs at most once (the status record covers restarts). */
  private final Set<String> taken = ConcurrentHashMap.newKeySet();

  private final Map<String, CompletableFuture<ThawTrigger>> running = new ConcurrentHashMap<>();

  /** The VM (its instance) of each running window, by snapshot UID. */
  private final Map<String, GuestRef> runningGuests = new ConcurrentHashMap<>();

  private final SharedIndexInformer<QuiescedSnapshot> informer;
  private final CompletionStage<?> windowsMayStart;
  private final CompletableFuture<Void> synced;

  /**
   * Starts the informer and returns at once ({@link #synced()} says when its first list is in).
   *
   * @param windowsMayStart completes once a window may start (start-up's survey ended); until then
   *     the snapshots seen wait, in the order seen
   */
  AssignedSnapshotWatcher(
      KubernetesClient client,
      String node,
      FreezeWindowRunner runner,
      ThreadPoolExecutor windows,
      ScheduledExecutorService retries,
      CompletionStage<?> windowsMayStart) {
    this.node = node;
    this.runner = runner;
    this.windows = windows;
    this.retries = retries;
    this.windowsMayStart = windowsMayStart;
    // assigned before it runs: the handler's work reads the informer's cache
    this.informer =
        client
            .resources(QuiescedSnapshot.class)
            .inAnyNamespace()
            .withLabel(Provenance.NODE, node)
            .runnableInformer(0);
    informer.addEventHandler(new Handler());
    this.synced = informer.start().toCompletableFuture();
  }

  /** Completes once the informer has listed the node's snapshots (exceptionally if it cannot). */
  CompletableFuture<Void> synced() {
    return synced;
  }

  /**
   * Ends every running window (thawing at once) and waits up to {@code grace} for them to record.
   */
  void stop(Duration grace) {
    informer.close();
    running.values().forEach(abort -> abort.complete(ThawTrigger.Shutdown));
    retries.shutdownNow();
    windows.shutdown();
    try {
      if (!windows.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("freeze windows still running after {} ms", grace.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  private void onChange(QuiescedSnapshot snapshot) {
    String uid = snapshot.getMetadata().getUid();
    if (snapshot.isMarkedForDeletion()) {
      abort(uid, ThawTrigger.Deletion);
      return;
    }
    if (Assignment.isRunnable(snapshot, node) && taken.add(uid)) {
      String key = key(snapshot);
      // at once when start-up is done; else by the thread that ends it
      windowsMayStart.thenRun(() -> submit(uid, key));
    }
  }

  private void submit(String uid, String key) {
    try {
      windows.execute(() -> runLatest(uid, key));
    } catch (RejectedExecutionException e) {
      LOG.info("helper stopping; {} not started", key);
    }
  }

  /** Runs the snapshot as the cache has it now: it may have been deleted or recorded meanwhile. */
  private void runLatest(String uid, String key) {
    QuiescedSnapshot latest = informer.getStore().getByKey(key);
    if (latest == null
        || !uid.equals(latest.getMetadata().getUid())
        || !Assignment.isRunnable(latest, node)) {
      return;
    }
    CompletableFuture<ThawTrigger> abort = new CompletableFuture<>();
    running.put(uid, abort);
    runningGuests.put(
        uid, new GuestRef(latest.getMetadata().getNamespace(), latest.getSpec().getSource()));
    // every line of this window, the agent calls' included, carries the snapshot (same keys as the
    // operator's)
    try (var context =
        ResourceLogContext.of(
            latest.getKind(),
            latest.getMetadata().getNamespace(),
            latest.getMetadata().getName())) {
      runner.run(latest, abort);
    } catch (FreezeWindowRunner.RetryLaterException e) {
      LOG.info("{}: {}; retrying in {} ms", key, e.getMessage(), RETRY_DELAY.toMillis());
      try {
        retries.schedule(() -> submit(uid, key), RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        LOG.info("helper stopping; {} not retried", key);
      }
    } catch (RuntimeException e) {
      // the operator's failureDeadline ends the snapshot (HelperNotResponding) if nothing is
      // recorded
      LOG.error("{}: freeze window failed unexpectedly", key, e);
    } finally {
      running.remove(uid, abort);
      runningGuests.remove(uid);
    }
  }

  /**
   * Ends the running windows of {@code guest} at once (an emergency thaw); they thaw and record
   * {@link ThawTrigger#Emergency}. Returns how many there were.
   */
  int abortWindowsOf(GuestRef guest) {
    int aborted = 0;
    for (Map.Entry<String, GuestRef> window : runningGuests.entrySet()) {
      if (window.getValue().equals(guest)) {
        abort(window.getKey(), ThawTrigger.Emergency);
        aborted++;
      }
    }
    return aborted;
  }

  private void abort(String uid, ThawTrigger trigger) {
    CompletableFuture<ThawTrigger> abort = running.get(uid);
    if (abort != null && abort.complete(trigger)) {
      LOG.info("snapshot {} ended its window: {}", uid, trigger);
    }
  }

  private static String key(QuiescedSnapshot snapshot) {
    return snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName();
  }

  private final class Handler implements ResourceEventHandler<QuiescedSnapshot> {
    @Override
    public void onAdd(QuiescedSnapshot snapshot) {
      onChange(snapshot);
    }

    @Override
    public void onUpdate(QuiescedSnapshot old, QuiescedSnapshot snapshot) {
      onChange(snapshot);
    }

    @Override
    public void onDelete(QuiescedSnapshot snapshot, boolean deletedFinalStateUnknown) {
      abort(snapshot.getMetadata().getUid(), ThawTrigger.Deletion);
    }
  }
}
