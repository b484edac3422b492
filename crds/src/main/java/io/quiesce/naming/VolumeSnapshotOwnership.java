package io.quiesce.naming;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a VolumeSnapshot is tied to the QuiescedSnapshot it belongs to, written the same way by the
 * node helper and the operator.
 *
 * <p>Every one carries the annotations {@code quiesce.io/snapshot} (the owner's full name) and
 * {@code quiesce.io/snapshot-uid}. Only under {@code deletionPolicy: Delete} does it also get a
 * controller ownerReference: under {@code Retain} it never has one, so no garbage collection can
 * delete it, however late it is created (a helper's create that lands after the deletion clean-up
 * listed the VolumeSnapshots would otherwise keep an ownerReference to a vanished owner). The spec is
 * immutable, so the policy an object was created under is the policy at deletion.
 */
public final class VolumeSnapshotOwnership {

    private VolumeSnapshotOwnership() {
    }

    /** Sets labels, annotations and (under Delete only) the ownerReference of a new VolumeSnapshot. */
    public static void stamp(ObjectMeta child, QuiescedSnapshot owner, DeletionPolicy policy) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Provenance.SNAPSHOT, ChildNames.labelValue(owner.getMetadata().getName()));
        labels.put(Provenance.VM, ChildNames.labelValue(owner.getSpec().getSource()));
        labels.put(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE);
        if (owner.getStatus() != null && owner.getStatus().getNodeName() != null) {
            // the node whose helper creates it: the chart's admission policy checks it against the helper's token
            labels.put(Provenance.NODE, owner.getStatus().getNodeName());
        }
        child.setLabels(labels);
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Provenance.SNAPSHOT, owner.getMetadata().getName());
        annotations.put(Provenance.SNAPSHOT_UID, owner.getMetadata().getUid());
        child.setAnnotations(annotations);
        // no blockOwnerDeletion: setting it needs update rights on the owner's finalizers, which the
        // helper does not have (and needs no more than garbage collection of the child)
        child.setOwnerReferences(policy == DeletionPolicy.Retain ? List.of() : List.of(ownerReference(owner)));
    }

    /**
     * Whether {@code child} belongs to {@code owner}: its controller ownerReference when it has a
     * controller (another controller means not ours, whatever the annotations say), else its UID
     * annotation.
     */
    public static boolean belongsTo(ObjectMeta child, QuiescedSnapshot owner) {
        String uid = owner.getMetadata().getUid();
        if (uid == null) {
            return false;
        }
        Optional<OwnerReference> controller = child.getOwnerReferences() == null ? Optional.empty()
                : child.getOwnerReferences().stream().filter(ref -> Boolean.TRUE.equals(ref.getController())).findFirst();
        return controller.map(ref -> uid.equals(ref.getUid()))
                .orElseGet(() -> uid.equals(annotation(child, Provenance.SNAPSHOT_UID)));
    }

    /** The name of the QuiescedSnapshot {@code child} says it belongs to: its annotation, else its controller. */
    public static Optional<String> ownerName(ObjectMeta child) {
        String annotated = annotation(child, Provenance.SNAPSHOT);
        if (annotated != null) {
            return Optional.of(annotated);
        }
        return child.getOwnerReferences() == null ? Optional.empty() : child.getOwnerReferences().stream()
                .filter(ref -> Boolean.TRUE.equals(ref.getController()) && "QuiescedSnapshot".equals(ref.getKind()))
                .map(OwnerReference::getName).findFirst();
    }

    private static String annotation(ObjectMeta meta, String key) {
        return meta.getAnnotations() == null ? null : meta.getAnnotations().get(key);
    }

    private static OwnerReference ownerReference(QuiescedSnapshot owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).build();
    }
}
