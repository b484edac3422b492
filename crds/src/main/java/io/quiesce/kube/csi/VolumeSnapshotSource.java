package io.quiesce.kube.csi;

import io.quiesce.kube.OpenObject;

/** Exactly one of: a PVC to snapshot now, or an existing (pre-provisioned) snapshot content. */
public class VolumeSnapshotSource extends OpenObject {
  private String persistentVolumeClaimName;
  private String volumeSnapshotContentName;

  public String getPersistentVolumeClaimName() {
    return persistentVolumeClaimName;
  }

  public void setPersistentVolumeClaimName(String persistentVolumeClaimName) {
    this.persistentVolumeClaimName = persistentVolumeClaimName;
  }

  public String getVolumeSnapshotContentName() {
    return volumeSnapshotContentName;
  }

  public void setVolumeSnapshotContentName(String volumeSnapshotContentName) {
    this.volumeSnapshotContentName = volumeSnapshotContentName;
  }
}
