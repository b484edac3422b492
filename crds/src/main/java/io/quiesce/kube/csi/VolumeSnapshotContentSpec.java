package io.quiesce.kube.csi;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.quiesce.kube.OpenObject;

/** Which VolumeSnapshot this content is bound to, and how the driver finds the snapshot. */
public class VolumeSnapshotContentSpec extends OpenObject {
  private ObjectReference volumeSnapshotRef;
  private String deletionPolicy;
  private String driver;
  private VolumeSnapshotContentSource source;
  private String volumeSnapshotClassName;
  private String sourceVolumeMode;

  public ObjectReference getVolumeSnapshotRef() {
    return volumeSnapshotRef;
  }

  public void setVolumeSnapshotRef(ObjectReference volumeSnapshotRef) {
    this.volumeSnapshotRef = volumeSnapshotRef;
  }

  public String getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(String deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public String getDriver() {
    return driver;
  }

  public void setDriver(String driver) {
    this.driver = driver;
  }

  public VolumeSnapshotContentSource getSource() {
    return source;
  }

  public void setSource(VolumeSnapshotContentSource source) {
    this.source = source;
  }

  public String getVolumeSnapshotClassName() {
    return volumeSnapshotClassName;
  }

  public void setVolumeSnapshotClassName(String volumeSnapshotClassName) {
    this.volumeSnapshotClassName = volumeSnapshotClassName;
  }

  public String getSourceVolumeMode() {
    return sourceVolumeMode;
  }

  public void setSourceVolumeMode(String sourceVolumeMode) {
    this.sourceVolumeMode = sourceVolumeMode;
  }
}
