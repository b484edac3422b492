package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the state machine needs to decide, read from the cluster in one go (no I/O after
 * this).
 *
 * @param snapshot the QuiescedSnapshot as seen
 * @param now the time of the observation
 * @param vm the source VirtualMachine, absent when it does not exist
 * @param vmi its instance, absent when the VM is stopped
 * @param pvcDrivers for every claim the VM refers to that exists: its CSI driver (empty when none)
 * @param classes every VolumeSnapshotClass
 * @param admission whether the VM and a freeze slot on the VM's node are free
 * @param helperAlive whether the node helper of the VMI's node renewed its heartbeat recently
 * @param defaultChannel the cluster default channel; null when none is set (then auto)
 * @param volumeSnapshots the VolumeSnapshots of the plan that exist, by name (members of its group
 *     snapshot too)
 * @param groups the group-snapshot API, classes and this snapshot's VolumeGroupSnapshot ({@link
 *     GroupSnapshotObserver})
 */
public record Observation(
    QuiescedSnapshot snapshot,
    Instant now,
    Optional<VirtualMachine> vm,
    Optional<VirtualMachineInstance> vmi,
    Map<String, Optional<String>> pvcDrivers,
    List<ClassInfo> classes,
    Admission admission,
    boolean helperAlive,
    QuiesceChannel defaultChannel,
    Map<String, VolumeSnapshot> volumeSnapshots,
    GroupObservation groups) {

  /** An observation that knows nothing of group snapshots (as on a cluster without them). */
  public Observation(
      QuiescedSnapshot snapshot,
      Instant now,
      Optional<VirtualMachine> vm,
      Optional<VirtualMachineInstance> vmi,
      Map<String, Optional<String>> pvcDrivers,
      List<ClassInfo> classes,
      Admission admission,
      boolean helperAlive,
      QuiesceChannel defaultChannel,
      Map<String, VolumeSnapshot> volumeSnapshots) {
    this(
        snapshot,
        now,
        vm,
        vmi,
        pvcDrivers,
        classes,
        admission,
        helperAlive,
        defaultChannel,
        volumeSnapshots,
        GroupObservation.NONE);
  }

  /** This observation with the group-snapshot facts and the group's members added. */
  Observation withGroups(GroupObservation found, Map<String, VolumeSnapshot> members) {
    Map<String, VolumeSnapshot> all = new java.util.HashMap<>(volumeSnapshots);
    all.putAll(members);
    // a HashMap: planned group members have no name yet, and lookups by a null name must say
    // "absent"
    return new Observation(
        snapshot,
        now,
        vm,
        vmi,
        pvcDrivers,
        classes,
        admission,
        helperAlive,
        defaultChannel,
        java.util.Collections.unmodifiableMap(all),
        found);
  }

  /**
   * What {@link FreezeSlots} said about starting now.
   *
   * @param vmBusy another snapshot of the same VM runs or is ahead in the queue
   * @param slotFree a freeze on the VM's node would stay within the cluster and node caps
   */
  public record Admission(boolean vmBusy, boolean slotFree) {
    public static final Admission FREE = new Admission(false, true);
  }
}
