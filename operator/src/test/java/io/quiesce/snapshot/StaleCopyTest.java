package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceMigrationState;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reconciles from copies older than the API server's (an informer that lags, a reconcile queued
 * behind others), deterministically: the test calls the reconciler itself with the copies and cache
 * it picks. A decision made from a stale copy must not be written, and must not give away a freeze
 * slot the snapshot holds.
 */
@KubeApiTest
class StaleCopyTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void aStaleCopyThatWouldWaitNeitherMovesAStartedSnapshotBackNorFreesItsSlot(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("stale");
    Fixtures.runningVm(ns, "db").create(client);
    Fixtures.runningVm(ns, "web").create(client); // same node
    try (FakeNodeHelper helper =
        FakeNodeHelper.start(
            server.newClient(),
            Behaviour.NEVER_ANSWERS,
            OPERATOR_NAMESPACE,
            Fixtures.DEFAULT_NODE)) {
      QuiescedSnapshotReconciler reconciler =
          SnapshotTestSupport.reconciler(
              server.newClient(), settings(1, 1, QuiesceChannel.AUTO), registry);
      reconciler.readFrom(new LiveReads(client, OPERATOR_NAMESPACE));
      QuiescedSnapshot a0 =
          client.resource(snapshot(ns, "a", "db", QuiesceMode.Required, "5m")).create();
      QuiescedSnapshot b0 =
          client.resource(snapshot(ns, "b", "web", QuiesceMode.Required, "5m")).create();

      reconciler.reconcile(a0, FakeReconcileContext.of(client, a0, List.of(a0, b0)));
      assertThat(live(client, ns, "a").getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);

      // db starts migrating while the helper holds its freeze; a reconcile of a from its stale
      // first copy (and a cache as stale) decides "wait for the migration"
      startMigration(client, ns, "db");
      reconciler.reconcile(a0, FakeReconcileContext.of(client, a0, List.of(a0, b0)));

      assertThat(live(client, ns, "a").getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);
      // a still holds the only slot, even for a reconcile of b whose cache has not seen a start
      reconciler.reconcile(b0, FakeReconcileContext.of(client, b0, List.of(a0, b0)));
      QuiescedSnapshot b = live(client, ns, "b");
      assertThat(b.getStatus().getPhase()).isEqualTo(SnapshotPhase.Pending);
      assertThat(b.getMetadata().getLabels()).doesNotContainKey(Provenance.NODE);
    }
  }

  private static void startMigration(KubernetesClient client, String ns, String vm) {
    client
        .resources(VirtualMachineInstance.class)
        .inNamespace(ns)
        .withName(vm)
        .edit(
            vmi -> {
              VirtualMachineInstanceMigrationState migration =
                  new VirtualMachineInstanceMigrationState();
              migration.setSourceNode(Fixtures.DEFAULT_NODE);
              migration.setTargetNode("node02");
              migration.setStartTimestamp(Instant.now().toString());
              vmi.getStatus().setMigrationState(migration);
              return vmi;
            });
  }

  private static QuiescedSnapshot live(KubernetesClient client, String ns, String name) {
    return client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get();
  }
}
