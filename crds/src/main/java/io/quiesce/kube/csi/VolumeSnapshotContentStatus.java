package io.quiesce.kube.csi;

import io.quiesce.kube.OpenObject;

/**
 * What the CSI driver reported. Unlike VolumeSnapshotStatus, {@code creationTime} is Unix time in
 * nanoseconds and {@code restoreSize} is a byte count, as upstream defines them.
 */
public class VolumeSnapshotContentStatus extends OpenObject {
  private String snapshotHandle;
  private Long creationTime;
  private Boolean readyToUse;
  private Long restoreSize;
  private VolumeSnapshotError error;
  private String volumeGroupSnapshotHandle;

  public String getSnapshotHandle() {
    return snapshotHandle;
  }

  public void setSnapshotHandle(String snapshotHandle) {
    this.snapshotHandle = snapshotHandle;
  }

  public Long getCreationTime() {
    return creationTime;
  }

  public void setCreationTime(Long creationTime) {
    this.creationTime = creationTime;
  }

  public Boolean getReadyToUse() {
    return readyToUse;
  }

  public void setReadyToUse(Boolean readyToUse) {
    this.readyToUse = readyToUse;
  }

  public Long getRestoreSize() {
    return restoreSize;
  }

  public void setRestoreSize(Long restoreSize) {
    this.restoreSize = restoreSize;
  }

  public VolumeSnapshotError getError() {
    return error;
  }

  public void setError(VolumeSnapshotError error) {
    this.error = error;
  }

  public String getVolumeGroupSnapshotHandle() {
    return volumeGroupSnapshotHandle;
  }

  public void setVolumeGroupSnapshotHandle(String volumeGroupSnapshotHandle) {
    this.volumeGroupSnapshotHandle = volumeGroupSnapshotHandle;
  }
}
