package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;

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

  /**
   * True when {@code next} differs from {@code current} by progress alone (see the class comment).
   */
  static boolean onlyProgress(QuiescedSnapshotStatus current, QuiescedSnapshotStatus next) {
    if (current == null || next == null || current.getPhase() == null) {
      return false;
    }
    return withoutProgress(current).equals(withoutProgress(next));
  }

  private static QuiescedSnapshotStatus withoutProgress(QuiescedSnapshotStatus s) {
    QuiescedSnapshotStatus c = SnapshotStateMachine.operatorFields(s);
    c.setMessage(null);
    if (c.getConditions() != null) {
      c.setConditions(c.getConditions().stream().map(ProgressOnlyWrites::withoutMessage).toList());
    }
    if (c.getVolumeSnapshots() != null) {
      c.getVolumeSnapshots().forEach(ProgressOnlyWrites::clearProgress);
    }
    return c;
  }

  private static Condition withoutMessage(Condition x) {
    Condition c = new Condition();
    c.setType(x.getType());
    c.setStatus(x.getStatus());
    c.setReason(x.getReason());
    c.setObservedGeneration(x.getObservedGeneration());
    return c;
  }

  private static void clearProgress(VolumeSnapshotRecord r) {
    r.setCreationTime(null);
    r.setReadyToUse(null);
    r.setRestoreSize(null);
  }
}
