package io.quiesce.snapshot;

import io.quiesce.api.ApiValues;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.naming.ChildNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The disks of a consistency group when they are cut as one CSI VolumeGroupSnapshot: which PVCs the
 * group takes, whose they are, and which VMs' disks are left to one VolumeSnapshot per volume
 * (under {@code BestEffort}, a VM that was not frozen is kept out of the group cut: its volumes are
 * cut one by one, crash-consistent). Pure.
 */
final class ConsistencyGroupVolumes {
  private ConsistencyGroupVolumes() {}

  /** Every distinct PVC of the members' disks, in member order. */
  static List<String> claims(List<GroupMember> members) {
    return GroupDiskPlanner.allDisks(members).stream()
        .map(VolumeSnapshotRecord::getPersistentVolumeClaim)
        .filter(Objects::nonNull)
        .distinct()
        .toList();
  }

  /** For a message: " of VirtualMachine vm" for each PVC of the members (its first VM). */
  static Function<String, String> whose(List<GroupMember> members) {
    Map<String, String> vmOf = new LinkedHashMap<>();
    for (GroupMember m : members) {
      if (m.getVolumeSnapshots() != null) {
        m.getVolumeSnapshots()
            .forEach(r -> vmOf.putIfAbsent(r.getPersistentVolumeClaim(), m.getVm()));
      }
    }
    return claim -> vmOf.containsKey(claim) ? " of VirtualMachine " + vmOf.get(claim) : "";
  }

  /**
   * The members planned for a group cut: each disk without a VolumeSnapshot name (the group
   * controller names its members; they are mapped back by PVC once they exist).
   */
  static List<GroupMember> unnamed(List<GroupMember> members) {
    List<GroupMember> out = new ArrayList<>();
    for (GroupMember m : members) {
      GroupMember c = ApiValues.copy(m);
      if (c.getVolumeSnapshots() != null) {
        c.getVolumeSnapshots().forEach(r -> r.setVolumeSnapshotName(null));
      }
      out.add(c);
    }
    return out;
  }

  /**
   * Whether the member's disks are in the group cut: under {@code Skip} every VM's (nothing is
   * frozen), else only a frozen VM's.
   */
  static boolean inGroup(GroupMember m, QuiesceMode mode, List<String> frozen) {
    return m.getVolumeSnapshots() != null
        && !m.getVolumeSnapshots().isEmpty()
        && (mode == QuiesceMode.Skip || frozen.contains(m.getVm()));
  }

  /**
   * The member with each disk named as its own VolumeSnapshot ({@link
   * ChildNames#groupVolumeSnapshot}, as without a group): for a VM kept out of the group cut.
   */
  static GroupMember perVolume(String snapshot, GroupMember m) {
    GroupMember c = ApiValues.copy(m);
    if (c.getVolumeSnapshots() != null) {
      c.getVolumeSnapshots()
          .forEach(
              r ->
                  r.setVolumeSnapshotName(
                      ChildNames.groupVolumeSnapshot(snapshot, m.getVm(), r.getVolume())));
    }
    return c;
  }
}
