package io.quiesce.snapshot;

import io.quiesce.kube.csi.VolumeGroupSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * What the state machine needs about CSI group snapshots: the version of {@code
 * groupsnapshot.storage.k8s.io} the cluster serves (empty without the CRDs), its
 * VolumeGroupSnapshotClasses, and the snapshot's own VolumeGroupSnapshot once it exists.
 */
public record GroupObservation(
    Optional<String> servedVersion,
    List<GroupClassInfo> classes,
    Optional<VolumeGroupSnapshot> groupSnapshot) {

  /** A cluster without the group-snapshot API, or a snapshot that does not need it. */
  public static final GroupObservation NONE =
      new GroupObservation(Optional.empty(), List.of(), Optional.empty());

  /** What the planner needs of a VolumeGroupSnapshotClass. */
  public record GroupClassInfo(String name, String driver, boolean isDefault) {}

  GroupObservation withGroupSnapshot(VolumeGroupSnapshot found) {
    return new GroupObservation(servedVersion, classes, Optional.ofNullable(found));
  }
}
