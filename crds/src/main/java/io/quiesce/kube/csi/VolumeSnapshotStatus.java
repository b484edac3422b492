package io.quiesce.kube.csi;

import io.fabric8.kubernetes.api.model.Quantity;
import io.quiesce.kube.OpenObject;

/**
 * What the snapshot controller observed. {@code creationTime} is the moment the storage system cut
 * the snapshot (the point in time it captures); {@code readyToUse} can come much later.
 */
public class VolumeSnapshotStatus extends OpenObject {
  private String boundVolumeSnapshotContentName;

  /** RFC 3339 time of the cut, set once the storage system has taken the snapshot. */
  private String creationTime;

  private Boolean readyToUse;

  /** Minimum size of a volume restored from this snapshot. */
  private Quantity restoreSize;

  private VolumeSnapshotError error;
  private String volumeGroupSnapshotName;

  public String getBoundVolumeSnapshotContentName() {
    return boundVolumeSnapshotContentName;
  }

  public void setBoundVolumeSnapshotContentName(String boundVolumeSnapshotContentName) {
    this.boundVolumeSnapshotContentName = boundVolumeSnapshotContentName;
  }

  public String getCreationTime() {
    return creationTime;
  }

  public void setCreationTime(String creationTime) {
    this.creationTime = creationTime;
  }

  public Boolean getReadyToUse() {
    return readyToUse;
  }

  public void setReadyToUse(Boolean readyToUse) {
    this.readyToUse = readyToUse;
  }

  public Quantity getRestoreSize() {
    return restoreSize;
  }

  public void setRestoreSize(Quantity restoreSize) {
    this.restoreSize = restoreSize;
  }

  public VolumeSnapshotError getError() {
    return error;
  }

  public void setError(VolumeSnapshotError error) {
    this.error = error;
  }

  public String getVolumeGroupSnapshotName() {
    return volumeGroupSnapshotName;
  }

  public void setVolumeGroupSnapshotName(String volumeGroupSnapshotName) {
    this.volumeGroupSnapshotName = volumeGroupSnapshotName;
  }
}
