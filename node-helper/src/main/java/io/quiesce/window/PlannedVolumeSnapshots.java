package io.quiesce.window;

import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.naming.VolumeSnapshotOwnership;

import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotSource;
import io.quiesce.kube.csi.VolumeSnapshotSpec;

import java.util.List;

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

    /** True when {@code object} belongs to {@code owner} (its controller, or its UID annotation under Retain). */
    static boolean ownedBy(VolumeSnapshot object, QuiescedSnapshot owner) {
        return VolumeSnapshotOwnership.belongsTo(object.getMetadata(), owner);
    }

    private static VolumeSnapshot build(QuiescedSnapshot snapshot, VolumeSnapshotRecord entry) {
        if (entry.getVolumeSnapshotName() == null || entry.getPersistentVolumeClaim() == null) {
            throw new IllegalStateException("planned volume " + entry.getVolume()
                    + " has no VolumeSnapshot name or PVC");
        }
        VolumeSnapshot object = new VolumeSnapshot();
        object.getMetadata().setNamespace(snapshot.getMetadata().getNamespace());
        object.getMetadata().setName(entry.getVolumeSnapshotName());
        VolumeSnapshotOwnership.stamp(object.getMetadata(), snapshot, snapshot.getSpec().getDeletionPolicy() == null
                ? DeletionPolicy.Delete : snapshot.getSpec().getDeletionPolicy());
        VolumeSnapshotSource source = new VolumeSnapshotSource();
        source.setPersistentVolumeClaimName(entry.getPersistentVolumeClaim());
        VolumeSnapshotSpec spec = new VolumeSnapshotSpec();
        spec.setSource(source);
        spec.setVolumeSnapshotClassName(entry.getVolumeSnapshotClassName());
        object.setSpec(spec);
        return object;
    }
}
