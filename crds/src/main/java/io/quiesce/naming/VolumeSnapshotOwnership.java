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
 * listed the VolumeSnapshots would otherwise keep an ownerReference to a vanished owner). The spec
 * is immutable, so the policy an object was created under is the policy at deletion.
 */
public final class VolumeSnapshotOwnership {

  /**
   * The kind of the owner (as {@code QuiescedSnapshot}'s {@code @Kind} defaults it: the class
   * name).
   */
  private static final String KIND = QuiescedSnapshot.class.getSimpleName();

  private VolumeSnapshotOwnership() {}

  /**
   * Sets labels, annotations and (under Delete only) the ownerReference of a new VolumeSnapshot.
   */
  public static void stamp(ObjectMeta child, QuiescedSnapshot owner, DeletionPolicy policy) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Provenance.SNAPSHOT, ChildNames.labelValue(owner.getMetadata().getName()));
    if (owner.getSpec().getSource() != null) { // a consistency group's VolumeGroupSnapshot has none
      labels.put(Provenance.VM, ChildNames.labelValue(owner.getSpec().getSource()));
    }
    labels.put(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE);
    if (owner.getStatus() != null && owner.getStatus().getNodeName() != null) {
      // the node whose helper creates it: the chart's admission policy checks it against the
      // helper's token
      labels.put(Provenance.NODE, owner.getStatus().getNodeName());
    }
    child.setLabels(labels);
    Map<String, String> annotations = new HashMap<>();
    annotations.put(Provenance.SNAPSHOT, owner.getMetadata().getName());
    annotations.put(Provenance.SNAPSHOT_UID, owner.getMetadata().getUid());
    child.setAnnotations(annotations);
    // no blockOwnerDeletion, from either writer: setting it needs update rights on the owner's
    // finalizers, which the helper does not have, and nothing needs it: the operator's finalizer
    // already holds the owner until the deletionPolicy is applied to its VolumeSnapshots
    child.setOwnerReferences(
        policy == DeletionPolicy.Retain ? List.of() : List.of(ownerReference(owner)));
  }

  /**
   * Whether {@code child} belongs to {@code owner}. With a controller ownerReference, that
   * reference must name this QuiescedSnapshot: kind {@code QuiescedSnapshot} of group {@code
   * quiesce.io} and the owner's UID (another controller means not ours, whatever the annotations
   * say). Without a controller (Retain, or created before the owner had a UID), its {@code
   * quiesce.io/snapshot-uid} annotation must carry the owner's UID.
   */
  public static boolean belongsTo(ObjectMeta child, QuiescedSnapshot owner) {
    String uid = owner.getMetadata().getUid();
    if (uid == null) {
      return false;
    }
    Optional<OwnerReference> controller =
        child.getOwnerReferences() == null
            ? Optional.empty()
            : child.getOwnerReferences().stream()
                .filter(ref -> Boolean.TRUE.equals(ref.getController()))
                .findFirst();
    return controller
        .map(ref -> isOurKind(ref) && uid.equals(ref.getUid()))
        .orElseGet(() -> uid.equals(annotation(child, Provenance.SNAPSHOT_UID)));
  }

  private static boolean isOurKind(OwnerReference ref) {
    String apiVersion = ref.getApiVersion() == null ? "" : ref.getApiVersion();
    return KIND.equals(ref.getKind()) && apiVersion.startsWith(QuiescedSnapshot.GROUP + "/");
  }

  /**
   * The name of the QuiescedSnapshot {@code child} says it belongs to: its annotation, else its
   * controller.
   */
  public static Optional<String> ownerName(ObjectMeta child) {
    String annotated = annotation(child, Provenance.SNAPSHOT);
    if (annotated != null) {
      return Optional.of(annotated);
    }
    return child.getOwnerReferences() == null
        ? Optional.empty()
        : child.getOwnerReferences().stream()
            .filter(ref -> Boolean.TRUE.equals(ref.getController()) && KIND.equals(ref.getKind()))
            .map(OwnerReference::getName)
            .findFirst();
  }

  private static String annotation(ObjectMeta meta, String key) {
    return meta.getAnnotations() == null ? null : meta.getAnnotations().get(key);
  }

  private static OwnerReference ownerReference(QuiescedSnapshot owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .build();
  }
}
