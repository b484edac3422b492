package io.quiesce.snapshot;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.consistencygroup.GroupFreezeWindow;
import io.quiesce.status.Reason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@code kubevirt-api} freeze windows ({@link KubeVirtFreezeWindow}) off the reconcile
 * threads, so that a window of up to {@code freeze.timeoutMaxSeconds} never holds one: a small
 * dedicated pool with a bounded queue, a window's record handed back to the reconciler through this
 * event source (a reconcile of that snapshot is triggered when its window ends).
 *
 * <p>Why this design: the window is a few blocking HTTP calls and watches bounded by its own
 * deadline; run whole on its own thread it stays one readable sequence (freeze, cut, confirm,
 * unfreeze, with the unfreeze in a {@code finally}), and the reconciler stays observe → decide →
 * act → write. What must survive an operator restart is on the object, not here: the snapshot is
 * written InProgress ({@code FreezingThroughKubeVirt}) before the window is submitted, so a new
 * operator that finds such a snapshot with no window of its own running calls KubeVirt's {@code
 * unfreeze} and records the window as interrupted. Meanwhile KubeVirt's {@code unfreezeTimeout}
 * (the window's length) thaws the guest whatever happens to the operator.
 */
final class KubeVirtWindows extends AbstractEventSource<Void, QuiescedSnapshot> {
  private static final Logger LOG = LoggerFactory.getLogger(KubeVirtWindows.class);

  private final KubeVirtFreezeWindow window;
  private final ThreadPoolExecutor pool;

  /** Threads plus queue places: a window is admitted only with one. */
  private final Semaphore places;

  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Map<String, FreezeRecord> finished = new ConcurrentHashMap<>();

  /** The outcome of a consistency group's window ({@link #startGroup}), by snapshot uid. */
  private final Map<String, GroupWindowResult> groupsFinished = new ConcurrentHashMap<>();

  /**
   * What a consistency group's window ended with: its outcome, or the error that ended it (the
   * window thawed every VM before the error left it).
   */
  record GroupWindowResult(GroupFreezeWindow.Outcome outcome, String error) {}

  /** A consistency group's window, run whole on a window thread. */
  @FunctionalInterface
  interface GroupWindowTask {
    GroupFreezeWindow.Outcome run() throws InterruptedException;
  }

  /**
   * @param threads windows run at once; as many again may queue
   */
  KubeVirtWindows(KubeVirtFreezeWindow window, int threads) {
    super(Void.class, "quiesce-kubevirt-windows");
    this.window = window;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(threads),
            r -> {
              Thread t = new Thread(r, "kubevirt-window-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.pool.allowCoreThreadTimeOut(true);
    this.places = new Semaphore(2 * threads);
  }

  /** Takes a place for a window; false when every thread and queue place is taken. */
  boolean tryReserve() {
    return places.tryAcquire();
  }

  /** Gives back a place taken by {@link #tryReserve} for a window that was not started. */
  void cancelReservation() {
    places.release();
  }

  /** Starts the window of {@code snapshot} on a reserved place. */
  void start(QuiescedSnapshot snapshot, List<VolumeSnapshotRecord> plan) {
    String uid = snapshot.getMetadata().getUid();
    running.add(uid);
    pool.execute(
        () -> {
          FreezeRecord record;
          try {
            record = window.run(snapshot, plan);
          } catch (VolumeSnapshots.ConflictException | RuntimeException e) {
            LOG.warn(
                "KubeVirt freeze window of {}/{} ended with an error: {}",
                snapshot.getMetadata().getNamespace(),
                snapshot.getMetadata().getName(),
                e.toString());
            record = failed(e);
          } finally {
            places.release();
          }
          finished.put(uid, record);
          running.remove(uid);
          wake(snapshot);
        });
  }

  /**
   * Starts the window of a consistency group on a reserved place: the same threads and places as
   * single snapshots' windows, so the operator's KubeVirt windows stay bounded together.
   */
  void startGroup(QuiescedSnapshot snapshot, GroupWindowTask task) {
    String uid = snapshot.getMetadata().getUid();
    running.add(uid);
    pool.execute(
        () -> {
          GroupWindowResult result;
          try {
            result = new GroupWindowResult(task.run(), null);
          } catch (InterruptedException e) {
            Thread.currentThread()
                .interrupt(); // shutdown: the next operator records it interrupted
            places.release();
            running.remove(uid);
            return;
          } catch (RuntimeException e) {
            LOG.warn(
                "group freeze window of {}/{} ended with an error: {}",
                snapshot.getMetadata().getNamespace(),
                snapshot.getMetadata().getName(),
                e.toString());
            result = new GroupWindowResult(null, e.toString());
          }
          places.release();
          groupsFinished.put(uid, result);
          running.remove(uid);
          wake(snapshot);
        });
  }

  /** The outcome of a group window that ended and has not been written yet. */
  Optional<GroupWindowResult> finishedGroup(String uid) {
    return Optional.ofNullable(groupsFinished.get(uid));
  }

  /** Whether a window of this snapshot runs in this process. */
  boolean running(String uid) {
    return running.contains(uid);
  }

  /** The record of a window that ended and has not been written yet. */
  Optional<FreezeRecord> finished(String uid) {
    return Optional.ofNullable(finished.get(uid));
  }

  /** The record is on the object: forget it. */
  void written(String uid) {
    finished.remove(uid);
    groupsFinished.remove(uid);
  }

  /** The record a window gets when its operator lost it. */
  static FreezeRecord interrupted(String why) {
    FreezeRecord r = new FreezeRecord();
    r.setMethod(FreezeMethod.KUBEVIRT_API);
    r.setReason(Reason.KUBEVIRT_WINDOW_INTERRUPTED.wire());
    r.setThawedBy(ThawTrigger.Recovery);
    r.setError(why);
    return r;
  }

  private static FreezeRecord failed(Exception e) {
    FreezeRecord r = new FreezeRecord();
    r.setMethod(FreezeMethod.KUBEVIRT_API);
    r.setReason(
        e instanceof VolumeSnapshots.ConflictException
            ? Reason.VOLUME_SNAPSHOT_CONFLICT.wire()
            : Reason.FREEZE_FAILED.wire());
    r.setError(e.getMessage());
    return r;
  }

  private void wake(QuiescedSnapshot s) {
    if (isRunning()) {
      getEventHandler().handleEvent(new Event(ResourceID.fromResource(s)));
    }
  }

  @Override
  public Set<Void> getSecondaryResources(QuiescedSnapshot primary) {
    return Set.of();
  }

  @Override
  public void stop() {
    // windows still open are interrupted; each unfreezes in its finally
    pool.shutdownNow();
    super.stop();
  }
}
