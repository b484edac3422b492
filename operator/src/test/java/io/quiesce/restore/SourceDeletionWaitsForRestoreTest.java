package io.quiesce.restore;

import static io.quiesce.snapshot.SnapshotTestAccess.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestAccess.startSnapshotOperator;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.SnapshotTestAccess;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deleting a snapshot that a restore in progress reads (it holds the restore's finalizer) deletes
 * nothing until the restore releases it: its VolumeSnapshots stay, then go per deletionPolicy.
 */
@KubeApiTest
class SourceDeletionWaitsForRestoreTest {

  @Test
  void volumeSnapshotsStayWhileARestoreHoldsTheSnapshot(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("held");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op = startSnapshotOperator(server)) {
      QuiescedSnapshot snapshot = SnapshotTestAccess.stoppedVmSnapshot(ns, "s1", "db");
      snapshot.getSpec().setDeletionPolicy(DeletionPolicy.Delete);
      client.resource(snapshot).create();
      awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded);
      hold(client, ns, "s1", true);

      client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("s1").delete();
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(4))
          .until(
              () ->
                  volumeSnapshots(client, ns).size() == 2
                      && volumeSnapshots(client, ns).stream()
                          .noneMatch(VolumeSnapshot::isMarkedForDeletion)
                      && client
                              .resources(QuiescedSnapshot.class)
                              .inNamespace(ns)
                              .withName("s1")
                              .get()
                          != null);

      hold(client, ns, "s1", false); // the restore ends
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  volumeSnapshots(client, ns).isEmpty()
                      && client
                              .resources(QuiescedSnapshot.class)
                              .inNamespace(ns)
                              .withName("s1")
                              .get()
                          == null);
    }
  }

  private static List<VolumeSnapshot> volumeSnapshots(KubernetesClient client, String ns) {
    return client
        .resources(VolumeSnapshot.class)
        .inNamespace(ns)
        .withLabel(Provenance.SNAPSHOT, "s1")
        .list()
        .getItems();
  }

  static void hold(KubernetesClient client, String ns, String name, boolean held) {
    client
        .resources(QuiescedSnapshot.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            s -> {
              List<String> finalizers = new ArrayList<>(s.getMetadata().getFinalizers());
              finalizers.remove(QuiescedSnapshotRestore.SOURCE_FINALIZER);
              if (held) {
                finalizers.add(QuiescedSnapshotRestore.SOURCE_FINALIZER);
              }
              s.getMetadata().setFinalizers(finalizers);
              return s;
            });
  }
}
