package io.quiesce.kube.csi;

import io.quiesce.kube.OpenObject;

/** What to snapshot, and with which class. */
public class VolumeSnapshotSpec extends OpenObject {
  private VolumeSnapshotSource source;

  /** Name of the VolumeSnapshotClass; empty means the default class of the PVC's driver. */
  private String volumeSnapshotClassName;

  public VolumeSnapshotSource getSource() {
    return source;
  }

  public void setSource(VolumeSnapshotSource source) {
    this.source = source;
  }

  public String getVolumeSnapshotClassName() {
    return volumeSnapshotClassName;
  }

  public void setVolumeSnapshotClassName(String volumeSnapshotClassName) {
    this.volumeSnapshotClassName = volumeSnapshotClassName;
  }
}
