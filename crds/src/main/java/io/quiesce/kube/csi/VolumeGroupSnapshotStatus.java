package io.quiesce.kube.csi;

import io.quiesce.kube.OpenObject;

/**
 * What the group-snapshot controller observed. {@code creationTime} is the one point in time at
 * which the storage cut every member; the member VolumeSnapshots (created by the controller, owned
 * by the group, {@code status.volumeGroupSnapshotName} set) carry the same cut.
 */
public class VolumeGroupSnapshotStatus extends OpenObject {
  private String boundVolumeGroupSnapshotContentName;

  /** RFC 3339 time of the cut. */
  private String creationTime;

  private Boolean readyToUse;
  private VolumeSnapshotError error;

  public String getBoundVolumeGroupSnapshotContentName() {
    return boundVolumeGroupSnapshotContentName;
  }

  public void setBoundVolumeGroupSnapshotContentName(String boundVolumeGroupSnapshotContentName) {
    this.boundVolumeGroupSnapshotContentName = boundVolumeGroupSnapshotContentName;
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

  public VolumeSnapshotError getError() {
    return error;
  }

  public void setError(VolumeSnapshotError error) {
    this.error = error;
  }
}
