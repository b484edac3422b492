package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.kube.kubevirt.VirtualMachine;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@link RestoreStateMachine} needs to decide, read in one go (no I/O after this).
 * Nothing is read outside the restore's namespace.
 *
 * @param restore the restore as seen
 * @param now the time of the observation
 * @param source the QuiescedSnapshot it names, absent when there is none
 * @param targetVm the VM restored into (new VM: the one of that name, if any; in place: the
 *     snapshot's VM)
 * @param instanceExists whether that VM has a VirtualMachineInstance (it runs, starts or stops)
 * @param claims the PVCs that exist among those the restore creates, the snapshot's and the VM's
 *     current ones, by name
 * @param waitForFirstConsumer storage classes of those claims that bind on first use
 */
public record RestoreObservation(
    QuiescedSnapshotRestore restore,
    Instant now,
    Optional<QuiescedSnapshot> source,
    Optional<VirtualMachine> targetVm,
    boolean instanceExists,
    Map<String, PersistentVolumeClaim> claims,
    Set<String> waitForFirstConsumer) {}
