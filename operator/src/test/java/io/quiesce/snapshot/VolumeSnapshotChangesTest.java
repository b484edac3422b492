package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotError;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The VolumeSnapshot updates that reconcile their QuiescedSnapshot: the cut, readiness, an error, a
 * deletion; not the snapshot controller's finalizer nor its bound-content write, which came as two
 * more reconciles of every snapshot in a fire and decide nothing.
 */
class VolumeSnapshotChangesTest {

  @Test
  void theControllersBookkeepingDoesNotReconcile() {
    VolumeSnapshot created = created();
    VolumeSnapshot withFinalizer =
        changed(
            created,
            v -> v.getMetadata().getFinalizers().add("snapshot.storage.kubernetes.io/bound"));
    VolumeSnapshot bound =
        changed(
            withFinalizer,
            v -> {
              VolumeSnapshotStatus st = new VolumeSnapshotStatus();
              st.setBoundVolumeSnapshotContentName("snapcontent-1");
              st.setReadyToUse(false);
              v.setStatus(st);
            });
    assertThat(VolumeSnapshotChanges.decidesWhenNew(created)).as("created").isFalse();
    assertThat(VolumeSnapshotChanges.decides(withFinalizer, created)).isFalse();
    assertThat(VolumeSnapshotChanges.decides(bound, withFinalizer)).isFalse();
  }

  @Test
  void whatADecisionReadsReconciles() {
    VolumeSnapshot bound =
        changed(
            created(),
            v -> {
              v.setStatus(new VolumeSnapshotStatus());
              v.getStatus().setReadyToUse(false);
            });
    VolumeSnapshot cut = changed(bound, v -> v.getStatus().setCreationTime("2026-12-06T00:00:01Z"));
    VolumeSnapshot ready =
        changed(
            cut,
            v -> {
              v.getStatus().setReadyToUse(true);
              v.getStatus().setRestoreSize(new Quantity("1Gi"));
            });
    VolumeSnapshot failed =
        changed(
            bound,
            v -> {
              VolumeSnapshotError error = new VolumeSnapshotError();
              error.setMessage("the driver refused");
              v.getStatus().setError(error);
            });
    VolumeSnapshot deleted =
        changed(ready, v -> v.getMetadata().setDeletionTimestamp("2026-12-06T00:01:00Z"));
    VolumeSnapshot relabelled = changed(ready, v -> v.getMetadata().getLabels().put("x", "y"));
    assertThat(VolumeSnapshotChanges.decidesWhenNew(cut)).as("first seen cut").isTrue();
    assertThat(VolumeSnapshotChanges.decides(cut, bound)).as("the cut").isTrue();
    assertThat(VolumeSnapshotChanges.decides(ready, cut)).as("ready").isTrue();
    assertThat(VolumeSnapshotChanges.decides(failed, bound)).as("an error").isTrue();
    assertThat(VolumeSnapshotChanges.decides(deleted, ready)).as("deleted").isTrue();
    assertThat(VolumeSnapshotChanges.decides(relabelled, ready)).as("labels").isTrue();
  }

  private static VolumeSnapshot created() {
    VolumeSnapshot v = new VolumeSnapshot();
    v.getMetadata().setNamespace("ns");
    v.getMetadata().setName("snap-root");
    v.getMetadata().setResourceVersion("1");
    v.getMetadata().setLabels(new java.util.HashMap<>(java.util.Map.of("app", "quiesce")));
    v.getMetadata().setFinalizers(new java.util.ArrayList<>());
    return v;
  }

  /** A copy with {@code change} applied and a newer resourceVersion, as the informer passes it. */
  private static VolumeSnapshot changed(VolumeSnapshot before, Consumer<VolumeSnapshot> change) {
    VolumeSnapshot after = Serialization.clone(before);
    after
        .getMetadata()
        .setResourceVersion(
            Integer.toString(Integer.parseInt(before.getMetadata().getResourceVersion()) + 1));
    change.accept(after);
    return after;
  }
}
