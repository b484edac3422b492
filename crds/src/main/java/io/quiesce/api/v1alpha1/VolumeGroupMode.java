package io.quiesce.api.v1alpha1;

/** Whether the VM's disks are cut as one CSI VolumeGroupSnapshot or as one VolumeSnapshot each. */
public enum VolumeGroupMode {
  /**
   * One VolumeGroupSnapshot when the cluster serves the group-snapshot API and every PVC belongs to
   * one CSI driver that has a VolumeGroupSnapshotClass; else one VolumeSnapshot per volume.
   */
  Auto,
  /** Always one VolumeSnapshot per volume. */
  Never,
  /** One VolumeGroupSnapshot, or the snapshot fails saying why none fits. */
  Required
}
