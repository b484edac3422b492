package io.quiesce.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which snapshots of a schedule to delete, per VM; a schedule's group snapshots ({@code grouping:
 * ConsistencyGroup}) form one history of their own ({@link #GROUPS}), each counted as one.
 *
 * <ul>
 *   <li>Only snapshots the schedule created are considered; the caller filters by provenance and
 *       this class checks it again ({@link SnapshotRecord#schedule()}).
 *   <li>Snapshots still in progress are never deleted and never counted.
 *   <li>Succeeded snapshots: the newest {@code keepLast} are kept, and of those, any older than
 *       {@code maxAge} goes too. The newest succeeded snapshot of a VM (and the newest succeeded
 *       group snapshot) is always kept, whatever its age: a schedule that stopped working must not
 *       leave a VM with no backup at all.
 *   <li>Failed snapshots are never counted as kept; the newest {@code failedHistoryLimit} of them
 *       stay for inspection, older ones are pruned.
 * </ul>
 *
 * @param keepLast succeeded snapshots to keep per VM, at least 1; null = no count limit
 * @param maxAge succeeded snapshots older than this are deleted; null = no age limit
 * @param failedHistoryLimit failed snapshots to keep per VM, at least 0
 */
public record RetentionPolicy(Integer keepLast, Duration maxAge, int failedHistoryLimit) {

  public RetentionPolicy {
    if (keepLast != null && keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be at least 1");
    }
    if (failedHistoryLimit < 0) {
      throw new IllegalArgumentException("failedHistoryLimit must not be negative");
    }
  }

  /**
   * The history a schedule's group snapshots are counted in; no VM name can be it (a {@code /}).
   */
  public static final String GROUPS = "/consistency-groups";

  /** Outcome of a snapshot, as far as retention cares. */
  public enum Outcome {
    IN_PROGRESS,
    SUCCEEDED,
    FAILED
  }

  /**
   * What retention needs to know of one snapshot; {@code history}: the VM of a single snapshot, or
   * {@link #GROUPS} for a group snapshot.
   */
  public record SnapshotRecord(
      String name, String history, String schedule, Instant created, Outcome outcome) {
    public SnapshotRecord {
      Objects.requireNonNull(name);
      Objects.requireNonNull(history);
      Objects.requireNonNull(created);
      Objects.requireNonNull(outcome);
    }
  }

  /** The snapshots of {@code schedule} to delete now, oldest first. */
  public List<SnapshotRecord> toDelete(
      String schedule, List<SnapshotRecord> snapshots, Instant now) {
    Map<String, List<SnapshotRecord>> byHistory =
        snapshots.stream()
            .filter(s -> schedule.equals(s.schedule()))
            .collect(Collectors.groupingBy(SnapshotRecord::history));
    List<SnapshotRecord> doomed = new ArrayList<>();
    byHistory.values().forEach(history -> doomed.addAll(toDeleteOf(history, now)));
    doomed.sort(Comparator.comparing(SnapshotRecord::created).thenComparing(SnapshotRecord::name));
    return doomed;
  }

  private List<SnapshotRecord> toDeleteOf(List<SnapshotRecord> history, Instant now) {
    // newest first; the name breaks ties so the answer does not depend on list order
    Comparator<SnapshotRecord> newestFirst =
        Comparator.comparing(SnapshotRecord::created)
            .reversed()
            .thenComparing(SnapshotRecord::name, Comparator.reverseOrder());
    List<SnapshotRecord> succeeded =
        history.stream().filter(s -> s.outcome() == Outcome.SUCCEEDED).sorted(newestFirst).toList();
    List<SnapshotRecord> failed =
        history.stream().filter(s -> s.outcome() == Outcome.FAILED).sorted(newestFirst).toList();
    List<SnapshotRecord> doomed = new ArrayList<>();
    for (int i = 1; i < succeeded.size(); i++) { // i = 0, the newest, always stays
      SnapshotRecord s = succeeded.get(i);
      boolean overCount = keepLast != null && i >= keepLast;
      boolean tooOld = maxAge != null && s.created().plus(maxAge).isBefore(now);
      if (overCount || tooOld) {
        doomed.add(s);
      }
    }
    doomed.addAll(failed.subList(Math.min(failedHistoryLimit, failed.size()), failed.size()));
    return doomed;
  }
}
