package io.quiesce.snapshot;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.consistencygroup.GroupSourceResolver;
import io.quiesce.naming.ChildNames;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import io.quiesce.status.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The disks of a consistency group, planned per VM ({@code status.members[].volumeSnapshots}): each
 * running VM's disks as {@link DiskPlanner} finds them (the VM's and its instance's PVC-backed
 * volumes), each with a VolumeSnapshot named after the snapshot, the VM and the volume (two VMs may
 * have volumes of the same name) and a class as for one VM. A VM left out gets a member entry
 * without disks that says why. Pure.
 */
final class GroupDiskPlanner {
  private GroupDiskPlanner() {}

  /**
   * The members, in the group's order (the running VMs, then the ones left out), or a failure
   * naming the VM it is about.
   *
   * @param memoryDumps volumes left out because they are memory dumps, "vm/volume" (said in an
   *     Event)
   */
  record Plan(
      List<GroupMember> members,
      List<String> memoryDumps,
      String failureReason,
      String failureMessage) {
    boolean ok() {
      return failureReason == null;
    }

    static Plan failed(String reason, String message) {
      return new Plan(List.of(), List.of(), reason, message);
    }
  }

  /**
   * @param pvcDrivers for every claim of the running VMs that exists: its CSI driver
   */
  static Plan plan(
      QuiescedSnapshot s,
      GroupSourceResolver.Resolution group,
      Map<String, Optional<String>> pvcDrivers,
      List<ClassInfo> classes) {
    String snapshot = s.getMetadata().getName();
    List<GroupMember> members = new ArrayList<>();
    List<String> memoryDumps = new ArrayList<>();
    for (GroupSourceResolver.Running vm : group.running()) {
      DiskPlanner.Plan disks = DiskPlanner.plan(vm.vm(), Optional.of(vm.vmi()), null);
      if (!disks.ok()) {
        return Plan.failed(
            disks.failureReason(), "VirtualMachine " + vm.name() + ": " + disks.failureMessage());
      }
      disks.excluded().forEach(e -> memoryDumps.add(vm.name() + "/" + e.getVolume()));
      List<VolumeSnapshotRecord> records = new ArrayList<>();
      for (DiskPlanner.Disk disk : disks.disks()) {
        Optional<String> driver = pvcDrivers.get(disk.claim());
        if (driver == null) {
          return Plan.failed(
              Reason.PERSISTENT_VOLUME_CLAIM_NOT_FOUND.wire(),
              "PersistentVolumeClaim "
                  + disk.claim()
                  + " of volume "
                  + disk.volume()
                  + " of VirtualMachine "
                  + vm.name()
                  + " not found");
        }
        SnapshotClassSelector.Choice choice =
            SnapshotClassSelector.choose(
                disk.claim(),
                driver.orElse(null),
                SnapshotSpecs.spec(s).getVolumeSnapshotClassName(),
                classes);
        if (!choice.ok()) {
          return Plan.failed(
              choice.reason(), "VirtualMachine " + vm.name() + ": " + choice.message());
        }
        VolumeSnapshotRecord r = new VolumeSnapshotRecord();
        r.setVolume(disk.volume());
        r.setPersistentVolumeClaim(disk.claim());
        r.setHotplugged(disk.hotplugged() ? true : null);
        r.setVolumeSnapshotName(ChildNames.groupVolumeSnapshot(snapshot, vm.name(), disk.volume()));
        r.setVolumeSnapshotClassName(choice.className());
        records.add(r);
      }
      GroupMember m = new GroupMember();
      m.setVm(vm.name());
      m.setVolumeSnapshots(records);
      members.add(m);
    }
    for (GroupSourceResolver.LeftOut out : group.leftOut()) {
      GroupMember m = new GroupMember();
      m.setVm(out.vm());
      m.setFrozen(false);
      FreezeRecord f = new FreezeRecord();
      f.setMethod(FreezeMethod.KUBEVIRT_API);
      f.setReason(out.reason());
      f.setError(out.message() + "; left out of the group (mode BestEffort)");
      m.setFreeze(f);
      members.add(m);
    }
    return new Plan(List.copyOf(members), List.copyOf(memoryDumps), null, null);
  }

  /** Every planned disk of every member, in member order. */
  static List<VolumeSnapshotRecord> allDisks(List<GroupMember> members) {
    List<VolumeSnapshotRecord> all = new ArrayList<>();
    for (GroupMember m : members) {
      if (m.getVolumeSnapshots() != null) {
        all.addAll(m.getVolumeSnapshots());
      }
    }
    return all;
  }
}
