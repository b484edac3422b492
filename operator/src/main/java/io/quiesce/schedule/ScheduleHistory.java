package io.quiesce.schedule;

import io.quiesce.api.v1alpha1.ActiveSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** What a schedule's snapshots say about it: the running ones and the latest success. Pure. */
final class ScheduleHistory {

  private ScheduleHistory() {}

  /** The Pending/InProgress snapshots (not yet started counts as Pending), by name. */
  static List<ActiveSnapshot> active(Collection<QuiescedSnapshot> snapshots) {
    return snapshots.stream()
        .filter(s -> s.getMetadata().getDeletionTimestamp() == null)
        .filter(s -> existing(s).active())
        .map(
            s ->
                isGroup(s)
                    ? ActiveSnapshot.ofGroup(s.getMetadata().getName(), vms(s))
                    : new ActiveSnapshot(
                        s.getMetadata().getName(),
                        s.getSpec() == null ? null : s.getSpec().getSource()))
        .sorted(Comparator.comparing(ActiveSnapshot::getName))
        .toList();
  }

  /** When the newest Succeeded snapshot completed (its creation, when it records no completion). */
  static Optional<Instant> lastSuccess(Collection<QuiescedSnapshot> snapshots) {
    return snapshots.stream()
        .filter(s -> phase(s) == SnapshotPhase.Succeeded)
        .map(s -> time(s.getStatus().getCompletionTime()).orElse(created(s)))
        .filter(Objects::nonNull)
        .max(Comparator.naturalOrder());
  }

  /** The planning view of a snapshot. */
  static FirePlan.ExistingSnapshot existing(QuiescedSnapshot s) {
    return new FirePlan.ExistingSnapshot(s.getMetadata().getName(), vms(s), phase(s), created(s));
  }

  /** Whether {@code s} is a group snapshot ({@code spec.sources}). */
  static boolean isGroup(QuiescedSnapshot s) {
    return s.getSpec() != null && s.getSpec().getSources() != null;
  }

  /**
   * The VMs a snapshot covers: its source, or a group's named VMs (a group by selector, which a
   * schedule never creates, names none).
   */
  static List<String> vms(QuiescedSnapshot s) {
    if (s.getSpec() == null) {
      return List.of("");
    }
    if (isGroup(s)) {
      List<String> vms = s.getSpec().getSources().getVms();
      return vms == null ? List.of() : List.copyOf(vms);
    }
    return List.of(Objects.requireNonNullElse(s.getSpec().getSource(), ""));
  }

  static SnapshotPhase phase(QuiescedSnapshot s) {
    return s.getStatus() == null ? null : s.getStatus().getPhase();
  }

  /**
   * The creation time; a snapshot we just created and did not read back yet has none: now-ish, so
   * Instant.MAX.
   */
  static Instant created(QuiescedSnapshot s) {
    return time(s.getMetadata().getCreationTimestamp()).orElse(Instant.MAX);
  }

  static Optional<Instant> time(String rfc3339) {
    if (rfc3339 == null) {
      return Optional.empty();
    }
    Instant known = PARSED.get(rfc3339);
    if (known != null) {
      return Optional.of(known);
    }
    try {
      Instant parsed = Instant.parse(rfc3339);
      if (PARSED.size() >= PARSED_MAX) {
        PARSED.clear();
      }
      PARSED.put(rfc3339, parsed);
      return Optional.of(parsed);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * Timestamps parsed before: a schedule's reconcile reads the creation time of each of its
   * snapshots, several times, after every change of one of them, and the snapshots of one fire
   * share a few whole seconds (parsing was a tenth of the operator's CPU in a 1,000-VM fire).
   */
  private static final Map<String, Instant> PARSED = new ConcurrentHashMap<>();

  private static final int PARSED_MAX = 4096;
}
