package io.quiesce.schedule;

import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.Provenance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The schedules' view of their snapshots, kept off an informer's item store: in the operator the
 * snapshot controller's own QuiescedSnapshot informer ({@link #over}), so each watch event is
 * decoded once for both controllers, not once per controller.
 *
 * <p>Snapshots carrying the {@code quiesce.io/schedule} label are indexed by the schedule they name
 * ({@link ScheduledSnapshotTemplate#scheduleOf}), so a reconcile reads its own snapshots only. A
 * change reaches the schedule only when it alters what the schedule reads ({@link
 * #sameForSchedule}: a new or deleted snapshot, a phase leaving Pending/InProgress, provenance, a
 * restore's hold), not on every progress write, and at most once per {@code spacing} ({@link
 * #events}): during a fire over N VMs the schedule's reconcile, which walks its N snapshots, ran
 * after almost every one of the N snapshots' ~6 writes (21 % of the operator's CPU in a 1,000-VM
 * fire).
 */
public final class ScheduledSnapshots {
  private final Map<ResourceID, Map<String, QuiescedSnapshot>> bySchedule =
      new ConcurrentHashMap<>();
  private volatile BooleanSupplier synced = () -> true;
  private volatile boolean listed;
  private volatile String finalizer;
  private volatile ChildEvents events;

  /**
   * The store to give the informer whose QuiescedSnapshots the schedules read: {@code copies}, the
   * store it would have had, with this index kept alongside.
   */
  public ItemStore<QuiescedSnapshot> over(ItemStore<QuiescedSnapshot> copies) {
    return new IndexingStore(copies);
  }

  /**
   * Until {@code ready} holds, a schedule is not reconciled (it looks again shortly): a schedule
   * that saw none of its snapshots would fire past {@code concurrencyPolicy: Forbid}. Set it when
   * the informer is not one of the schedule controller's own event sources, which JOSDK waits for.
   */
  public void syncedWhen(BooleanSupplier ready) {
    this.synced = Objects.requireNonNull(ready);
  }

  /** {@link #syncedWhen}: when every informer of {@code controller} has listed. */
  public void syncedWith(RegisteredController<?> controller) {
    syncedWhen(
        () -> {
          for (InformerWrappingEventSourceHealthIndicator<?> source :
              controller.getControllerHealthInfo().informerEventSourceHealthIndicators().values()) {
            for (InformerHealthIndicator informer : source.informerHealthIndicators().values()) {
              if (!informer.hasSynced()) {
                return false;
              }
            }
          }
          return true;
        });
  }

  boolean synced() {
    if (listed) {
      return true;
    }
    listed = synced.getAsBoolean(); // once listed, an informer's store stays a full copy
    return listed;
  }

  /**
   * The finalizer a schedule's new snapshot carries from its creation: the one of the snapshot
   * controller that serves it, which JOSDK would otherwise add with a patch of its own (one more
   * write, watch event and reconcile per snapshot). Set it only when that controller serves every
   * snapshot the schedules create (no label-selector shard), or a deletion would wait for ever.
   */
  public void presetFinalizer(String finalizer) {
    this.finalizer = Objects.requireNonNull(finalizer);
  }

  /** The snapshot as a schedule creates it: with the preset finalizer, if any. */
  QuiescedSnapshot withFinalizer(QuiescedSnapshot snapshot) {
    String f = finalizer;
    if (f != null) {
      snapshot.getMetadata().setFinalizers(List.of(f));
    }
    return snapshot;
  }

  /** The snapshots naming {@code schedule} (by annotation, else label) in {@code namespace}. */
  Stream<QuiescedSnapshot> of(String namespace, String schedule) {
    Map<String, QuiescedSnapshot> ours = bySchedule.get(new ResourceID(schedule, namespace));
    return ours == null ? Stream.empty() : ours.values().stream();
  }

  /**
   * The event source that reconciles a schedule when its snapshots change as it reads them, at most
   * once per {@code spacing}: the first change of a quiet schedule reaches it after {@code
   * spacing}, with all the changes since. Fires (the requeue) and spec edits (the schedule's own
   * informer) do not wait.
   */
  ChildEvents events(Duration spacing) {
    ChildEvents source = new ChildEvents(spacing);
    events = source;
    return source;
  }

  /**
   * Whether the schedule reads the same of {@code a} and {@code b} (either may be null): {@link
   * ScheduleHistory}, {@link ScheduleRetention} and {@link FirePlan} read the provenance, the
   * spec's VMs, creation and deletion, the uid, a restore's finalizer, whether the phase is still
   * active (Pending and InProgress are alike), and the completion time.
   */
  static boolean sameForSchedule(QuiescedSnapshot a, QuiescedSnapshot b) {
    if (a == null || b == null) {
      return a == b;
    }
    var ma = a.getMetadata();
    var mb = b.getMetadata();
    return Objects.equals(ma.getUid(), mb.getUid())
        && Objects.equals(ma.getCreationTimestamp(), mb.getCreationTimestamp())
        && Objects.equals(ma.getDeletionTimestamp(), mb.getDeletionTimestamp())
        && Objects.equals(label(a), label(b))
        && Objects.equals(annotations(a), annotations(b))
        && underRestore(a) == underRestore(b)
        && Objects.equals(ScheduleHistory.vms(a), ScheduleHistory.vms(b))
        && outcome(a) == outcome(b)
        && Objects.equals(completion(a), completion(b));
  }

  private static String label(QuiescedSnapshot s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    return labels == null ? null : labels.get(Provenance.SCHEDULE);
  }

  private static List<String> annotations(QuiescedSnapshot s) {
    Map<String, String> annotations = s.getMetadata().getAnnotations();
    return annotations == null
        ? List.of()
        : Stream.of(Provenance.SCHEDULE, Provenance.SCHEDULE_UID)
            .map(k -> Objects.requireNonNullElse(annotations.get(k), ""))
            .toList();
  }

  private static boolean underRestore(QuiescedSnapshot s) {
    List<String> finalizers = s.getMetadata().getFinalizers();
    return finalizers != null && finalizers.contains(QuiescedSnapshotRestore.SOURCE_FINALIZER);
  }

  /** Null while active, else the terminal phase. */
  private static SnapshotPhase outcome(QuiescedSnapshot s) {
    SnapshotPhase phase = ScheduleHistory.phase(s);
    return phase != null && phase.terminal() ? phase : null;
  }

  private static String completion(QuiescedSnapshot s) {
    return s.getStatus() == null ? null : s.getStatus().getCompletionTime();
  }

  private static Optional<ResourceID> scheduleOf(QuiescedSnapshot s) {
    if (s == null || label(s) == null) {
      return Optional.empty(); // the schedules read only labelled snapshots
    }
    return ScheduledSnapshotTemplate.scheduleOf(s)
        .map(name -> new ResourceID(name, s.getMetadata().getNamespace()));
  }

  /** Files a stored snapshot under its schedule and tells the schedule(s) when it matters. */
  private void changed(String key, QuiescedSnapshot old, QuiescedSnapshot now) {
    Optional<ResourceID> was = scheduleOf(old);
    Optional<ResourceID> is = scheduleOf(now);
    if (was.isEmpty() && is.isEmpty()) {
      return; // not a schedule's
    }
    if (was.isPresent() && !was.equals(is)) {
      bySchedule.computeIfPresent(
          was.get(),
          (id, snapshots) ->
              snapshots.remove(key) != null && snapshots.isEmpty() ? null : snapshots);
    }
    is.ifPresent(
        id -> bySchedule.computeIfAbsent(id, x -> new ConcurrentHashMap<>()).put(key, now));
    if (was.equals(is) && sameForSchedule(old, now)) {
      return;
    }
    ChildEvents source = events;
    if (source != null) {
      was.ifPresent(source::signal);
      is.filter(id -> !is.equals(was)).ifPresent(source::signal);
    }
  }

  /** The informer's store, which this index follows through every put and remove. */
  private final class IndexingStore implements ItemStore<QuiescedSnapshot> {
    private final ItemStore<QuiescedSnapshot> copies;

    IndexingStore(ItemStore<QuiescedSnapshot> copies) {
      this.copies = copies;
    }

    @Override
    public String getKey(QuiescedSnapshot obj) {
      return copies.getKey(obj);
    }

    @Override
    public QuiescedSnapshot put(String key, QuiescedSnapshot obj) {
      QuiescedSnapshot old = copies.put(key, obj);
      changed(key, old, copies.get(key)); // the copy as kept (trimmed)
      return old;
    }

    @Override
    public QuiescedSnapshot remove(String key) {
      QuiescedSnapshot old = copies.remove(key);
      if (old != null) {
        changed(key, old, null);
      }
      return old;
    }

    @Override
    public Stream<String> keySet() {
      return copies.keySet();
    }

    @Override
    public Stream<QuiescedSnapshot> values() {
      return copies.values();
    }

    @Override
    public QuiescedSnapshot get(String key) {
      return copies.get(key);
    }

    @Override
    public int size() {
      return copies.size();
    }

    @Override
    public boolean isFullState() {
      return copies.isFullState();
    }
  }

  /**
   * Reconciles a schedule once per {@code spacing} at most while its snapshots keep changing: a
   * change schedules one event {@code spacing} later, and changes until then ride on it.
   */
  static final class ChildEvents extends AbstractEventSource<Void, QuiescedSnapshotSchedule> {
    private final Duration spacing;
    private final Set<ResourceID> due = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;

    ChildEvents(Duration spacing) {
      super(Void.class, "schedule-snapshot-changes");
      this.spacing = spacing;
    }

    @Override
    public Set<Void> getSecondaryResources(QuiescedSnapshotSchedule schedule) {
      return Set.of();
    }

    void signal(ResourceID schedule) {
      ScheduledExecutorService t = timer;
      if (t != null && isRunning() && due.add(schedule)) {
        t.schedule(() -> fire(schedule), spacing.toMillis(), TimeUnit.MILLISECONDS);
      }
    }

    private void fire(ResourceID schedule) {
      due.remove(schedule); // before the event: a change during the reconcile schedules the next
      if (isRunning()) {
        getEventHandler().handleEvent(new Event(schedule));
      }
    }

    @Override
    public synchronized void start() {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread thread = new Thread(r, "quiesce-schedule-snapshot-changes");
                thread.setDaemon(true);
                return thread;
              });
      super.start();
    }

    @Override
    public synchronized void stop() {
      super.stop();
      if (timer != null) {
        timer.shutdownNow();
      }
      due.clear();
    }
  }
}
