package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads what {@link SnapshotStateMachine} needs for one snapshot: a Pending one needs the VM, its
 * instance, PVCs, classes, a place in the freeze queue and the helper's heartbeat; an InProgress one
 * only the VM and its VolumeSnapshots (from the informer cache), and a place in the freeze queue
 * when it falls back to KubeVirt.
 */
public final class ClusterObserver {
    /** Name prefix of the node helpers' heartbeat Leases. */
    public static final String HELPER_LEASE_PREFIX = "quiesce-helper-";

    private final KubernetesClient client;
    private final SnapshotSettings settings;
    /** Heartbeat ages on the operator's clock (see {@link HelperHeartbeats}). */
    private final HelperHeartbeats heartbeats;
    private final FreezeSlots slots;

    public ClusterObserver(KubernetesClient client, SnapshotSettings settings, FreezeSlots slots) {
        this.client = client;
        this.settings = settings;
        this.heartbeats = new HelperHeartbeats(settings.helperStaleAfter());
        this.slots = slots;
    }

    /**
     * Observes {@code s}. For a Pending snapshot whose VM is free, and for the KubeVirt fallback of an
     * InProgress one, this may take a fresh grant in {@link FreezeSlots}, which the caller must commit
     * or settle.
     */
    public Observation observe(QuiescedSnapshot s, Collection<QuiescedSnapshot> allSnapshots,
            Collection<VolumeSnapshot> owned) {
        Instant now = settings.clock().instant();
        String ns = s.getMetadata().getNamespace();
        SnapshotPhase phase = SnapshotPhase.of(s.getStatus());
        Map<String, VolumeSnapshot> volumeSnapshots = owned.stream()
                .collect(Collectors.toMap(v -> v.getMetadata().getName(), Function.identity(), (a, b) -> a));
        if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
            return new Observation(s, now, Optional.empty(), Optional.empty(), Map.of(), List.of(), Admission.FREE,
                    false, settings.defaultChannel(), volumeSnapshots);
        }
        String source = SnapshotSpecs.spec(s).getSource();
        Optional<VirtualMachine> vm = Optional.ofNullable(source == null ? null
                : client.resources(VirtualMachine.class).inNamespace(ns).withName(source).get());
        if (phase == SnapshotPhase.InProgress || vm.isEmpty()) {
            Admission admission = Admission.FREE;
            if (vm.isPresent() && SnapshotStateMachine.needsKubeVirtFallback(s.getStatus())) {
                // the KubeVirt fallback freezes too: it takes a grant like any other freeze
                admission = slots.tryAdmitStarted(new Entry(ns, s.getMetadata().getName(), source,
                        s.getStatus().getNodeName(), SnapshotSpecs.created(s)), s.getMetadata().getUid(), allSnapshots);
            }
            return new Observation(s, now, vm, Optional.empty(), Map.of(), List.of(), admission, false,
                    settings.defaultChannel(), volumeSnapshots);
        }
        Optional<VirtualMachineInstance> vmi = Optional.ofNullable(
                client.resources(VirtualMachineInstance.class).inNamespace(ns).withName(source).get());
        String node = vmi.map(i -> i.getStatus() == null ? null : i.getStatus().getNodeName()).orElse(null);
        Admission admission = slots.tryAdmit(new Entry(ns, s.getMetadata().getName(), source, node,
                SnapshotSpecs.created(s)), s.getMetadata().getUid(), allSnapshots);
        Map<String, Optional<String>> drivers = pvcDrivers(ns, DiskPlanner.allVolumes(vm.get(), vmi));
        return new Observation(s, now, vm, vmi, drivers, classes(), admission,
                node != null && helperAlive(node, now), settings.defaultChannel(), volumeSnapshots);
    }

    /**
     * Every claim of these volumes (the VM's, and those hot-plugged into its instance) that exists,
     * with the CSI driver of its storage class.
     */
    private Map<String, Optional<String>> pvcDrivers(String ns, List<Volume> volumes) {
        Map<String, Optional<String>> drivers = new HashMap<>();
        Map<String, Optional<String>> provisioners = new HashMap<>();
        for (Volume v : volumes) {
            Optional<String> claim = v.claimName();
            if (claim.isEmpty()) {
                continue;
            }
            PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns).withName(claim.get()).get();
            if (pvc == null) {
                continue;
            }
            String storageClass = pvc.getSpec() == null ? null : pvc.getSpec().getStorageClassName();
            drivers.put(claim.get(), storageClass == null ? Optional.empty()
                    : provisioners.computeIfAbsent(storageClass, this::provisioner));
        }
        return drivers;
    }

    private Optional<String> provisioner(String storageClass) {
        StorageClass sc = client.storage().v1().storageClasses().withName(storageClass).get();
        return Optional.ofNullable(sc == null ? null : sc.getProvisioner());
    }

    private List<ClassInfo> classes() {
        return client.resources(VolumeSnapshotClass.class).list().getItems().stream()
                .map(c -> new ClassInfo(c.getMetadata().getName(), c.getDriver(), c.isDefault())).toList();
    }

    /** The helper renews {@code quiesce-helper-<node>}; a missing or stale Lease means no live helper. */
    private boolean helperAlive(String node, Instant now) {
        Lease lease = client.leases().inNamespace(settings.operatorNamespace())
                .withName(HELPER_LEASE_PREFIX + node).get();
        return heartbeats.alive(node, lease, now);
    }
}
