package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;

/**
 * Where a snapshot is in its lifecycle, finer than its phase: derived once from the stored status
 * by {@link #of}, so that {@link SnapshotStateMachine} decides per stage instead of reading field
 * combinations as it goes. Not stored: the status fields it is derived from are.
 */
enum SnapshotStage {
  /** Accepted, not started: resolved, then failed, waiting, or started. */
  PENDING,
  /**
   * The operator's own KubeVirt freeze window runs (or was lost by a previous operator) and has no
   * record yet: its record ends it.
   */
  KUBEVIRT_WINDOW,
  /** Assigned to the node helper, which has recorded neither a freeze nor a hand-back yet. */
  AWAITING_HELPER,
  /**
   * The node helper (channel auto) found no agent channel and handed the snapshot back: KubeVirt
   * freezes instead, under a freeze slot.
   */
  KUBEVIRT_FALLBACK,
  /**
   * A freeze is recorded (or the helper handed the snapshot back for a reason with no fallback) and
   * no consistency decided yet: the cuts and the record decide it.
   */
  FREEZE_RECORDED,
  /**
   * The consistency is decided: the VolumeSnapshots are created (when the operator cuts without a
   * freeze) and followed until every one is ready to use.
   */
  CUTTING,
  /** Succeeded or Failed: nothing changes any more. */
  DONE;

  /** The stage of a snapshot whose stored status is {@code st} (null: not started). */
  static SnapshotStage of(QuiescedSnapshotStatus st) {
    SnapshotPhase phase = SnapshotPhase.of(st);
    if (phase == SnapshotPhase.Pending) {
      return PENDING;
    }
    if (phase.terminal()) {
      return DONE;
    }
    if (st.getConsistency() != null) {
      return CUTTING;
    }
    if (SnapshotStateMachine.kubeVirtWindowOpen(st)) {
      return KUBEVIRT_WINDOW;
    }
    if (st.getFreeze() == null && st.getHelperHandBack() == null) {
      return AWAITING_HELPER;
    }
    if (SnapshotStateMachine.needsKubeVirtFallback(st)) {
      return KUBEVIRT_FALLBACK;
    }
    return FREEZE_RECORDED;
  }
}
