package io.quiesce.api.v1alpha1;

/**
 * What happens to the VolumeSnapshots of a QuiescedSnapshot when the QuiescedSnapshot is deleted.
 */
public enum DeletionPolicy {
  /** Delete them with it. */
  Delete,
  /** Keep them; they no longer belong to anything Quiesce manages. */
  Retain
}
