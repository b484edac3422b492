package io.quiesce.naming;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotSource;
import io.quiesce.kube.csi.VolumeSnapshotSpec;
import java.util.List;

/**
 * The one builder of the VolumeSnapshots the operator planned in {@code status.volumeSnapshots[]}:
 * the node helper creates them inside its freeze window, the operator when it cuts without the
 * helper (KubeVirt's freeze, a stopped VM, quiesce Skip). Both must create the same object, since
 * either may find the other's already there and reuse it only when it {@linkplain
 * VolumeSnapshotOwnership#belongsTo belongs to} the same QuiescedSnapshot.
 */
public final class PlannedVolumeSnapshots {

  private PlannedVolumeSnapshots() {}

  /** One VolumeSnapshot per planned entry, in plan order. */
  public static List<VolumeSnapshot> of(QuiescedSnapshot snapshot) {
    List<VolumeSnapshotRecord> plan =
        snapshot.getStatus() == null ? null : snapshot.getStatus().getVolumeSnapshots();
    if (plan == null || plan.isEmpty()) {
      throw new IllegalStateException(
          "status.volumeSnapshots is empty: nothing planned to snapshot");
    }
    return plan.stream().map(entry -> build(snapshot, entry)).toList();
  }

  /**
   * The VolumeSnapshot of one planned entry, not yet created: its deterministic name, the
   * provenance labels and annotations, and (under {@code deletionPolicy: Delete} only) the
   * QuiescedSnapshot as controlling owner; see {@link VolumeSnapshotOwnership#stamp}.
   *
   * @throws IllegalStateException an entry without a VolumeSnapshot name or PVC
   */
  public static VolumeSnapshot build(QuiescedSnapshot owner, VolumeSnapshotRecord entry) {
    if (entry.getVolumeSnapshotName() == null || entry.getPersistentVolumeClaim() == null) {
      throw new IllegalStateException(
          "planned volume " + entry.getVolume() + " has no VolumeSnapshot name or PVC");
    }
    VolumeSnapshot object = new VolumeSnapshot();
    object.getMetadata().setNamespace(owner.getMetadata().getNamespace());
    object.getMetadata().setName(entry.getVolumeSnapshotName());
    VolumeSnapshotOwnership.stamp(object.getMetadata(), owner, SnapshotSpecs.deletionPolicy(owner));
    VolumeSnapshotSource source = new VolumeSnapshotSource();
    source.setPersistentVolumeClaimName(entry.getPersistentVolumeClaim());
    VolumeSnapshotSpec spec = new VolumeSnapshotSpec();
    spec.setSource(source);
    spec.setVolumeSnapshotClassName(entry.getVolumeSnapshotClassName());
    object.setSpec(spec);
    return object;
  }

  /**
   * True when {@code object} belongs to {@code owner}; see {@link
   * VolumeSnapshotOwnership#belongsTo}.
   */
  public static boolean ownedBy(VolumeSnapshot object, QuiescedSnapshot owner) {
    return VolumeSnapshotOwnership.belongsTo(object.getMetadata(), owner);
  }
}
