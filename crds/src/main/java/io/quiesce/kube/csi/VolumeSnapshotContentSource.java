package io.quiesce.kube.csi;

import io.quiesce.kube.OpenObject;

/** Exactly one of: the CSI volume to snapshot, or the handle of an existing snapshot. */
public class VolumeSnapshotContentSource extends OpenObject {
  private String volumeHandle;
  private String snapshotHandle;

  public String getVolumeHandle() {
    return volumeHandle;
  }

  public void setVolumeHandle(String volumeHandle) {
    this.volumeHandle = volumeHandle;
  }

  public String getSnapshotHandle() {
    return snapshotHandle;
  }

  public void setSnapshotHandle(String snapshotHandle) {
    this.snapshotHandle = snapshotHandle;
  }
}
