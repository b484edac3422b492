package io.quiesce.api.v1alpha1;

/** Lifecycle of a QuiescedSnapshotRestore. */
public enum RestorePhase {
  /** Accepted, not started. */
  Pending,
  /** In place: the VM was asked to stop; the restore waits until its instance is gone. */
  WaitingForVMStop,
  /** The PVCs are created from the VolumeSnapshots; the restore waits until each is bound. */
  RestoringVolumes,
  /** The VM was created (new VM) or re-pointed and, if it ran before, started (in place). */
  Succeeded,
  /** The restore cannot complete; status.reason and status.message say why. */
  Failed
}
