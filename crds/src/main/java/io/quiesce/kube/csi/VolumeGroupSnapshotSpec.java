package io.quiesce.kube.csi;

import io.quiesce.kube.OpenObject;

/** Which PVCs (by label selector) and which VolumeGroupSnapshotClass. */
public class VolumeGroupSnapshotSpec extends OpenObject {
  private VolumeGroupSnapshotSource source;

  /** Empty means the default VolumeGroupSnapshotClass of the PVCs' driver. */
  private String volumeGroupSnapshotClassName;

  public VolumeGroupSnapshotSource getSource() {
    return source;
  }

  public void setSource(VolumeGroupSnapshotSource source) {
    this.source = source;
  }

  public String getVolumeGroupSnapshotClassName() {
    return volumeGroupSnapshotClassName;
  }

  public void setVolumeGroupSnapshotClassName(String volumeGroupSnapshotClassName) {
    this.volumeGroupSnapshotClassName = volumeGroupSnapshotClassName;
  }
}
