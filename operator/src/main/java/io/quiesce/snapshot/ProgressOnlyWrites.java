package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.ApiValues;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which status changes are left for the next write that matters: a change of the waiting message or
 * of a VolumeSnapshot's progress ({@code creationTime}, {@code readyToUse}, {@code restoreSize})
 * alone, with the same phase, consistency, node, condition reasons and no error. Such a change
 * decides nothing (the next decision reads the VolumeSnapshots themselves from the informer, not
 * from this status), and writing each one cost three to four requests per snapshot; the next write
 * (the freeze verdict, the terminal phase) carries the latest of them.
 */
final class ProgressOnlyWrites {
  private ProgressOnlyWrites() {}

  /** The status fields compared apart, or not at all (the others' fields, the message). */
  private static final Set<String> APART =
      Stream.concat(
              SnapshotStateMachine.OTHERS_FIELDS.stream(),
              Stream.of("message", "conditions", "volumeSnapshots"))
          .collect(Collectors.toUnmodifiableSet());

  /** A VolumeSnapshot's progress. */
  private static final Set<String> PROGRESS = Set.of("creationTime", "readyToUse", "restoreSize");

  /**
   * True when {@code next} differs from {@code current} by progress alone (see the class comment).
   * Compared field by field, without copies (once per reconcile that decided a change).
   */
  static boolean onlyProgress(QuiescedSnapshotStatus current, QuiescedSnapshotStatus next) {
    if (current == null || next == null || current.getPhase() == null) {
      return false;
    }
    return ApiValues.fieldsEqualExcept(current, next, APART)
        && sameEach(
            current.getConditions(), next.getConditions(), ProgressOnlyWrites::sameBesidesMessage)
        && sameEach(
            current.getVolumeSnapshots(),
            next.getVolumeSnapshots(),
            (a, b) -> ApiValues.fieldsEqualExcept(a, b, PROGRESS));
  }

  /** A condition's type, status, reason and generation: not its message nor its time. */
  private static boolean sameBesidesMessage(Condition a, Condition b) {
    return Objects.equals(a.getType(), b.getType())
        && Objects.equals(a.getStatus(), b.getStatus())
        && Objects.equals(a.getReason(), b.getReason())
        && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration());
  }

  private static <T> boolean sameEach(List<T> a, List<T> b, BiPredicate<T, T> same) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!same.test(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }
}
