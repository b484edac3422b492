package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 50 snapshots of 50 VMs on 4 nodes with small caps: all complete and the caps hold. */
@KubeApiTest
class FiftyVmsTest {
  private static final int VMS = 50;
  private static final int CLUSTER_CAP = 3;
  private static final int NODE_CAP = 1;

  @Test
  void fiftySnapshotsCompleteWithinTheFreezeCaps(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("fifty");
    String[] nodes = {"node-a", "node-b", "node-c", "node-d"};
    for (int i = 0; i < VMS; i++) {
      Fixtures.runningVm(ns, "vm-" + i)
          .onNode(nodes[i % nodes.length])
          .withPvcDisk("root", "vm-" + i + "-root", "1Gi")
          .create(client);
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(20), Duration.ofMillis(20));
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(), Behaviour.FREEZE_OK, OPERATOR_NAMESPACE, nodes);
        QuiesceTestOperator op =
            startOperator(server, settings(CLUSTER_CAP, NODE_CAP, QuiesceChannel.AUTO), registry)) {
      for (int i = 0; i < VMS; i++) {
        client
            .resource(snapshot(ns, "snap-" + i, "vm-" + i, QuiesceMode.Required, "120s"))
            .create();
      }

      List<QuiescedSnapshot> done =
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems(),
                  all ->
                      all.stream()
                          .allMatch(
                              s ->
                                  s.getStatus() != null
                                      && (s.getStatus().getPhase() == SnapshotPhase.Succeeded
                                          || s.getStatus().getPhase() == SnapshotPhase.Failed)));

      assertThat(done)
          .hasSize(VMS)
          .allSatisfy(
              s -> {
                assertThat(s.getStatus().getPhase())
                    .as(s.getMetadata().getName())
                    .isEqualTo(SnapshotPhase.Succeeded);
                assertThat(s.getStatus().getConsistency())
                    .isEqualTo(Consistency.FilesystemConsistent);
              });
      assertThat(helper.freezes()).isEqualTo(VMS);
      assertThat(helper.maxFrozenOnAnyNode()).isBetween(1, NODE_CAP);
      assertThat(helper.maxFrozenInCluster()).isBetween(1, CLUSTER_CAP);
      assertThat(helper.timesAVmWasFrozenTwice()).isZero();
      assertThat(
              registry
                  .get("quiesce.snapshots")
                  .tag("outcome", "FilesystemConsistent")
                  .counter()
                  .count())
          .isEqualTo(VMS);
    }
  }
}
