package io.quiesce.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one VolumeSnapshot builder and ownership check the operator and the node helper share. */
class PlannedVolumeSnapshotsTest {
  private static final String UID = "5d0c7c1e-0000-4000-8000-000000000001";

  @Test
  void deleteMakesTheQuiescedSnapshotTheControllerWithoutBlockOwnerDeletion() {
    VolumeSnapshot vs = PlannedVolumeSnapshots.of(snapshot(null)).get(0);

    assertThat(vs.getMetadata().getName()).isEqualTo("nightly--rootdisk");
    assertThat(vs.getMetadata().getNamespace()).isEqualTo("vms");
    assertThat(vs.getSpec().getSource().getPersistentVolumeClaimName()).isEqualTo("rootdisk-pvc");
    assertThat(vs.getSpec().getVolumeSnapshotClassName()).isEqualTo("csi-snap");
    assertThat(vs.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getKind()).isEqualTo("QuiescedSnapshot");
              assertThat(ref.getApiVersion()).isEqualTo("quiesce.io/v1alpha1");
              assertThat(ref.getUid()).isEqualTo(UID);
              assertThat(ref.getController()).isTrue();
              assertThat(ref.getBlockOwnerDeletion()).isNull();
            });
    assertThat(vs.getMetadata().getAnnotations()).containsEntry(Provenance.SNAPSHOT_UID, UID);
    assertThat(PlannedVolumeSnapshots.ownedBy(vs, snapshot(null))).isTrue();
  }

  @Test
  void retainHasNoOwnerReferenceAndIsOursByItsUidAnnotation() {
    VolumeSnapshot vs = PlannedVolumeSnapshots.of(snapshot(DeletionPolicy.Retain)).get(0);

    assertThat(vs.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(PlannedVolumeSnapshots.ownedBy(vs, snapshot(DeletionPolicy.Retain))).isTrue();
    QuiescedSnapshot other = snapshot(DeletionPolicy.Retain);
    other.getMetadata().setUid("another-uid");
    assertThat(PlannedVolumeSnapshots.ownedBy(vs, other)).isFalse();
  }

  @Test
  void aControllerOfAnotherKindIsNotOursEvenWithOurUid() {
    VolumeSnapshot vs = PlannedVolumeSnapshots.of(snapshot(null)).get(0);
    vs.getMetadata().setOwnerReferences(List.of(controller("v1", "ConfigMap", UID)));
    assertThat(PlannedVolumeSnapshots.ownedBy(vs, snapshot(null))).isFalse();

    vs.getMetadata()
        .setOwnerReferences(List.of(controller("other.io/v1", "QuiescedSnapshot", UID)));
    assertThat(PlannedVolumeSnapshots.ownedBy(vs, snapshot(null))).isFalse();

    vs.getMetadata()
        .setOwnerReferences(List.of(controller("quiesce.io/v1alpha1", "QuiescedSnapshot", "x")));
    assertThat(PlannedVolumeSnapshots.ownedBy(vs, snapshot(null))).isFalse();

    vs.getMetadata()
        .setOwnerReferences(List.of(controller("quiesce.io/v1alpha1", "QuiescedSnapshot", UID)));
    assertThat(PlannedVolumeSnapshots.ownedBy(vs, snapshot(null))).isTrue();
  }

  @Test
  void anEntryWithoutNameOrClaimIsRefused() {
    QuiescedSnapshot s = snapshot(null);
    s.getStatus().getVolumeSnapshots().get(0).setPersistentVolumeClaim(null);
    assertThatThrownBy(() -> PlannedVolumeSnapshots.of(s))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rootdisk");
    s.getStatus().setVolumeSnapshots(List.of());
    assertThatThrownBy(() -> PlannedVolumeSnapshots.of(s)).hasMessageContaining("nothing planned");
  }

  private static OwnerReference controller(String apiVersion, String kind, String uid) {
    return new OwnerReferenceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withName("nightly")
        .withUid(uid)
        .withController(true)
        .build();
  }

  private static QuiescedSnapshot snapshot(DeletionPolicy policy) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setName("nightly");
    s.getMetadata().setNamespace("vms");
    s.getMetadata().setUid(UID);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("db-01");
    spec.setDeletionPolicy(policy);
    s.setSpec(spec);
    VolumeSnapshotRecord r = new VolumeSnapshotRecord();
    r.setVolume("rootdisk");
    r.setPersistentVolumeClaim("rootdisk-pvc");
    r.setVolumeSnapshotName(ChildNames.volumeSnapshot("nightly", "rootdisk"));
    r.setVolumeSnapshotClassName("csi-snap");
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setVolumeSnapshots(List.of(r));
    s.setStatus(status);
    return s;
  }
}
