package io.quiesce.snapshot;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapshot metrics. In Prometheus: {@code quiesce_snapshots_total{outcome}} (FilesystemConsistent,
 * CrashConsistent or Failed), {@code quiesce_snapshot_duration_seconds{outcome}} (creation to the
 * end) and {@code quiesce_snapshots_in_progress}.
 */
public final class SnapshotMetrics {
  private final MeterRegistry registry;
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

  /**
   * UIDs already counted: a reconcile on a cache that has not seen the terminal status yet decides
   * it again.
   */
  private final Set<String> counted = ConcurrentHashMap.newKeySet();

  public SnapshotMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("quiesce.snapshots.in.progress", inProgress, Set::size)
        .description("QuiescedSnapshots started and not finished")
        .register(registry);
  }

  /** A snapshot ended with this outcome, this long after it was created; counted once per UID. */
  public void finished(String key, String uid, String outcome, Duration took) {
    inProgress.remove(key);
    if (!counted.add(uid)) {
      return;
    }
    Counter.builder("quiesce.snapshots")
        .description("QuiescedSnapshots finished, by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    Timer.builder("quiesce.snapshot.duration")
        .description("From creation to Succeeded or Failed")
        .tag("outcome", outcome)
        .register(registry)
        .record(took.isNegative() ? Duration.ZERO : took);
  }

  /** The snapshot is gone: its UID needs no more remembering. */
  public void forget(String key, String uid) {
    inProgress.remove(key);
    counted.remove(uid);
  }

  /** The snapshot is InProgress (true) or not (false). */
  public void inProgress(String key, boolean running) {
    if (running) {
      inProgress.add(key);
    } else {
      inProgress.remove(key);
    }
  }
}
