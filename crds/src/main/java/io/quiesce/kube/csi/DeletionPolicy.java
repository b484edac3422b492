package io.quiesce.kube.csi;

/**
 * Values of {@code deletionPolicy} on VolumeSnapshotClass and VolumeSnapshotContent: whether
 * deleting the VolumeSnapshot deletes the snapshot on the storage system too.
 */
public final class DeletionPolicy {
  public static final String DELETE = "Delete";
  public static final String RETAIN = "Retain";

  private DeletionPolicy() {}
}
