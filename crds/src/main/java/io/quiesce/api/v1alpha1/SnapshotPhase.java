package io.quiesce.api.v1alpha1;

/** Lifecycle of a QuiescedSnapshot. */
public enum SnapshotPhase {
    Pending, InProgress, Succeeded, Failed
}
