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
 * Everything the state machine needs to decide, read from the cluster in one go (no I/O after this).
 *
 * @param snapshot        the QuiescedSnapshot as seen
 * @param now             the time of the observation
 * @param vm              the source VirtualMachine, absent when it does not exist
 * @param vmi             its instance, absent when the VM is stopped
 * @param pvcDrivers      for every claim the VM refers to that exists: its CSI driver (empty when none)
 * @param classes         every VolumeSnapshotClass
 * @param admission       whether the VM and a freeze slot on the VM's node are free
 * @param helperAlive     whether the node helper of the VMI's node renewed its heartbeat recently
 * @param defaultChannel  the cluster default channel; null when none is set (then auto)
 * @param volumeSnapshots the VolumeSnapshots of the plan that exist, by name
 */
public record Observation(QuiescedSnapshot snapshot, Instant now, Optional<VirtualMachine> vm,
        Optional<VirtualMachineInstance> vmi, Map<String, Optional<String>> pvcDrivers, List<ClassInfo> classes,
        Admission admission, boolean helperAlive, QuiesceChannel defaultChannel, Map<String, VolumeSnapshot> volumeSnapshots) {

    /**
     * What {@link FreezeSlots} said about starting now.
     *
     * @param vmBusy   another snapshot of the same VM runs or is ahead in the queue
     * @param slotFree a freeze on the VM's node would stay within the cluster and node caps
     */
    public record Admission(boolean vmBusy, boolean slotFree) {
        public static final Admission FREE = new Admission(false, true);
    }
}
