package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PVCs a restore creates, pure: each a {@code dataSourceRef} to one VolumeSnapshot, with the
 * storage class, access modes, volume mode and size of the PVC the snapshot was cut of when it
 * still exists, else ReadWriteOnce on the default class with the VolumeSnapshot's restoreSize.
 */
final class RestoredClaims {
  static final String SNAPSHOT_GROUP = "snapshot.storage.k8s.io";

  private RestoredClaims() {}

  /**
   * The restored PVC of one volume; empty when its size is unknown (no source PVC, no restoreSize).
   */
  static Optional<PersistentVolumeClaim> claim(
      QuiescedSnapshotRestore restore,
      String claimName,
      VolumeSnapshotRecord record,
      PersistentVolumeClaim sourceClaim) {
    Quantity size = null;
    String storageClass = null;
    List<String> accessModes = List.of("ReadWriteOnce");
    String volumeMode = null;
    if (sourceClaim != null && sourceClaim.getSpec() != null) {
      var spec = sourceClaim.getSpec();
      storageClass = spec.getStorageClassName();
      if (spec.getAccessModes() != null && !spec.getAccessModes().isEmpty()) {
        accessModes = spec.getAccessModes();
      }
      volumeMode = spec.getVolumeMode();
      if (spec.getResources() != null && spec.getResources().getRequests() != null) {
        size = spec.getResources().getRequests().get("storage");
      }
    }
    if (size == null) {
      size = record.getRestoreSize();
    }
    if (size == null) {
      return Optional.empty();
    }
    return Optional.of(
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName(claimName)
            .withNamespace(restore.getMetadata().getNamespace())
            .addToLabels(
                QuiescedSnapshotRestore.RESTORE_LABEL,
                ChildNames.labelValue(restore.getMetadata().getName()))
            .addToLabels(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE)
            .addToAnnotations(
                QuiescedSnapshotRestore.RESTORED_FROM_ANNOTATION, record.getVolumeSnapshotName())
            .endMetadata()
            .withNewSpec()
            .withStorageClassName(storageClass)
            .withAccessModes(accessModes)
            .withVolumeMode(volumeMode)
            .withNewResources()
            .withRequests(Map.of("storage", size))
            .endResources()
            .withNewDataSourceRef()
            .withApiGroup(SNAPSHOT_GROUP)
            .withKind("VolumeSnapshot")
            .withName(record.getVolumeSnapshotName())
            .endDataSourceRef()
            .endSpec()
            .build());
  }

  /**
   * Whether {@code claim} was created by this restore (a PVC of the same name made by anyone else
   * is not taken).
   */
  static boolean ours(PersistentVolumeClaim claim, QuiescedSnapshotRestore restore) {
    var labels = claim.getMetadata().getLabels();
    return labels != null
        && ChildNames.labelValue(restore.getMetadata().getName())
            .equals(labels.get(QuiescedSnapshotRestore.RESTORE_LABEL));
  }
}
