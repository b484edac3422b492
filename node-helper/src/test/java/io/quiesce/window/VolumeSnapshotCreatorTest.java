package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Creating the planned VolumeSnapshots: deterministic names, reuse of our own, refusal of
 * another's.
 */
@KubeApiTest
class VolumeSnapshotCreatorTest {
  private static final ExecutorService IO = Executors.newFixedThreadPool(2);

  @AfterAll
  static void stop() {
    IO.shutdownNow();
  }

  @Test
  void createsEveryPlannedSnapshotAndReusesItsOwnOnASecondRun(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("create");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "snap", QuiesceMode.Required, "5s", false);
    VolumeSnapshotCreator creator = new VolumeSnapshotCreator(client, IO);

    List<VolumeSnapshot> first = creator.createAll(qsnap);
    List<VolumeSnapshot> second = creator.createAll(qsnap);

    assertThat(first)
        .extracting(v -> v.getMetadata().getName())
        .containsExactlyInAnyOrder("snap--pvcdisk1", "snap--datavolumedisk1");
    assertThat(first)
        .allSatisfy(
            v ->
                assertThat(v.getSpec().getSource().getPersistentVolumeClaimName())
                    .isIn(vm.claimNames()));
    assertThat(second)
        .extracting(v -> v.getMetadata().getUid())
        .containsExactlyInAnyOrderElementsOf(
            first.stream().map(v -> v.getMetadata().getUid()).toList());
    assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems()).hasSize(2);
  }

  @Test
  void refusesAVolumeSnapshotOfTheSameNameOwnedByAnotherObject(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("foreign");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "snap", QuiesceMode.Required, "5s", false);
    VolumeSnapshot foreign = PlannedVolumeSnapshots.of(qsnap).get(0);
    foreign
        .getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("ConfigMap")
                    .withName("someone-else")
                    .withUid("0b7e9d3c-4f1a-4c55-9d0e-2f5b8a1c7e11")
                    .withController(true)
                    .build()));
    client.resource(foreign).create();

    assertThatThrownBy(() -> new VolumeSnapshotCreator(client, IO).createAll(qsnap))
        .isInstanceOf(VolumeSnapshotCreator.VolumeSnapshotCreationException.class)
        .hasMessageContaining(foreign.getMetadata().getName())
        .hasMessageContaining("not owned");
  }

  /**
   * The race of a deletion with a late create: the operator's clean-up has listed the
   * VolumeSnapshots (none yet) and let the QuiescedSnapshot go, then the helper's create lands.
   * Under Retain the VolumeSnapshots must outlive garbage collection; under Delete they must not.
   */
  @Test
  void volumeSnapshotsCreatedAfterTheDeletionCleanUpAreKeptUnderRetainAndCollectedUnderDelete(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("late");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    QuiescedSnapshot retained =
        AssignedSnapshots.assign(
            client, vm, "kept", QuiesceMode.Required, "5s", false, null, DeletionPolicy.Retain);
    QuiescedSnapshot deleted =
        AssignedSnapshots.assign(
            client, vm, "gone", QuiesceMode.Required, "5s", false, null, DeletionPolicy.Delete);
    for (QuiescedSnapshot s : List.of(retained, deleted)) {
      client.resource(s).delete(); // no finalizer here: the clean-up has run and found nothing yet
    }
    await()
        .until(
            () ->
                client
                    .resources(QuiescedSnapshot.class)
                    .inNamespace(ns)
                    .list()
                    .getItems()
                    .isEmpty());

    VolumeSnapshotCreator creator = new VolumeSnapshotCreator(client, IO);
    creator.createAll(retained); // the helper's copies, from before the deletion
    creator.createAll(deleted);
    collectGarbage(client, ns);

    assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
        .extracting(v -> v.getMetadata().getAnnotations().get(Provenance.SNAPSHOT))
        .containsExactly("kept", "kept");
    assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
        .allSatisfy(
            v -> {
              assertThat(v.getMetadata().getOwnerReferences()).isNullOrEmpty();
              assertThat(v.getMetadata().getAnnotations())
                  .containsEntry(Provenance.SNAPSHOT_UID, retained.getMetadata().getUid());
            });
  }

  /**
   * What Kubernetes' garbage collector does (the in-JVM API server has none): dependents of
   * vanished owners go.
   */
  private static void collectGarbage(KubernetesClient client, String ns) {
    java.util.Set<String> live = new java.util.HashSet<>();
    client
        .resources(QuiescedSnapshot.class)
        .inNamespace(ns)
        .list()
        .getItems()
        .forEach(s -> live.add(s.getMetadata().getUid()));
    for (VolumeSnapshot v :
        client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems()) {
      var refs = v.getMetadata().getOwnerReferences();
      if (refs != null
          && !refs.isEmpty()
          && refs.stream().noneMatch(r -> live.contains(r.getUid()))) {
        client.resource(v).delete();
      }
    }
    await()
        .until(
            () ->
                client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems().stream()
                    .allMatch(
                        v ->
                            v.getMetadata().getOwnerReferences() == null
                                || v.getMetadata().getOwnerReferences().isEmpty()
                                || v.getMetadata().getOwnerReferences().stream()
                                    .anyMatch(r -> live.contains(r.getUid()))));
  }
}
