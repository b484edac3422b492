package io.quiesce.kube.csi;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.quiesce.kube.OpenObject;

/**
 * Exactly one of: a label selector over PVCs of the namespace, or an existing group snapshot
 * content.
 */
public class VolumeGroupSnapshotSource extends OpenObject {
  private LabelSelector selector;
  private String volumeGroupSnapshotContentName;

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public String getVolumeGroupSnapshotContentName() {
    return volumeGroupSnapshotContentName;
  }

  public void setVolumeGroupSnapshotContentName(String volumeGroupSnapshotContentName) {
    this.volumeGroupSnapshotContentName = volumeGroupSnapshotContentName;
  }
}
