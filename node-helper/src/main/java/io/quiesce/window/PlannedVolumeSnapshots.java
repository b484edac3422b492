package io.quiesce.window;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotSource;
import io.quiesce.kube.csi.VolumeSnapshotSpec;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The VolumeSnapshots the operator planned in {@code status.volumeSnapshots[]}, as objects to create. */
final class PlannedVolumeSnapshots {

    private PlannedVolumeSnapshots() {
    }

    /** One VolumeSnapshot per planned entry; entries without a name or PVC are refused. */
    static List<VolumeSnapshot> of(QuiescedSnapshot snapshot) {
        List<VolumeSnapshotRecord> plan = snapshot.getStatus().getVolumeSnapshots();
        if (plan == null || plan.isEmpty()) {
            throw new IllegalStateException("status.volumeSnapshots is empty: nothing planned to snapshot");
        }
        return plan.stream().map(entry -> build(snapshot, entry)).toList();
    }

    /** True when {@code object} has {@code owner} as its controller. */
    static boolean ownedBy(VolumeSnapshot object, QuiescedSnapshot owner) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(ref -> Boolean.TRUE.equals(ref.getController())
                && owner.getMetadata().getUid().equals(ref.getUid()));
    }

    private static VolumeSnapshot build(QuiescedSnapshot snapshot, VolumeSnapshotRecord entry) {
        if (entry.getVolumeSnapshotName() == null || entry.getPersistentVolumeClaim() == null) {
            throw new IllegalStateException("planned volume " + entry.getVolume()
                    + " has no VolumeSnapshot name or PVC");
        }
        VolumeSnapshot object = new VolumeSnapshot();
        object.getMetadata().setNamespace(snapshot.getMetadata().getNamespace());
        object.getMetadata().setName(entry.getVolumeSnapshotName());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Provenance.SNAPSHOT, ChildNames.labelValue(snapshot.getMetadata().getName()));
        labels.put(Provenance.VM, ChildNames.labelValue(snapshot.getSpec().getSource()));
        labels.put(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE);
        object.getMetadata().setLabels(labels);
        // no blockOwnerDeletion: setting it needs update rights on the owner's finalizers, which the
        // helper does not have (and needs no more than garbage collection of the child)
        object.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
                .withApiVersion(snapshot.getApiVersion()).withKind(snapshot.getKind())
                .withName(snapshot.getMetadata().getName()).withUid(snapshot.getMetadata().getUid())
                .withController(true).build()));
        VolumeSnapshotSource source = new VolumeSnapshotSource();
        source.setPersistentVolumeClaimName(entry.getPersistentVolumeClaim());
        VolumeSnapshotSpec spec = new VolumeSnapshotSpec();
        spec.setSource(source);
        spec.setVolumeSnapshotClassName(entry.getVolumeSnapshotClassName());
        object.setSpec(spec);
        return object;
    }
}
