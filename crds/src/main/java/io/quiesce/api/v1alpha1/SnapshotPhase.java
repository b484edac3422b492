package io.quiesce.api.v1alpha1;

/** Lifecycle of a QuiescedSnapshot. */
public enum SnapshotPhase {
  /** Accepted, not started (e.g. waiting for an earlier snapshot of the same VM). */
  Pending,
  /** Freezing, cutting, or waiting for the storage to make the VolumeSnapshots ready. */
  InProgress,
  /** Every VolumeSnapshot is ready to use. */
  Succeeded,
  /** The snapshot cannot complete; status.message and the Failed condition say why. */
  Failed;

  /** The phase of {@code status}: a snapshot without a status or a phase yet is Pending. */
  public static SnapshotPhase of(QuiescedSnapshotStatus status) {
    return status == null || status.getPhase() == null ? Pending : status.getPhase();
  }

  /** True for Succeeded and Failed: nothing changes any more. */
  public boolean terminal() {
    return this == Succeeded || this == Failed;
  }
}
