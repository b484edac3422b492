package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitAllSucceeded;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A snapshot waiting for a freeze slot starts as soon as one frees, not at its next timed requeue:
 * here the requeue is ten minutes away, so only the wake-up can start the queued snapshots in time.
 */
@KubeApiTest
class AdmissionWakeupTest {
  private static final int VMS = 4;

  @Test
  void queuedSnapshotsStartWhenTheSlotFreesNotAtTheirRequeue(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("wakeup");
    String[] nodes = {"node-a", "node-b"};
    for (int i = 0; i < VMS; i++) {
      Fixtures.runningVm(ns, "vm-" + i)
          .onNode(nodes[i % 2])
          .withPvcDisk("root", "vm-" + i + "-root", "1Gi")
          .create(client);
    }
    SnapshotSettings oneAtATime =
        new SnapshotSettings(
            1,
            1,
            QuiesceChannel.AUTO,
            OPERATOR_NAMESPACE,
            SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
            Duration.ofMinutes(10),
            Clock.systemUTC());
    KubernetesClient operatorClient = server.newClient();
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(100), Duration.ofMillis(50));
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(), Behaviour.FREEZE_OK, OPERATOR_NAMESPACE, nodes);
        QuiesceTestOperator op =
            QuiesceTestOperator.start(
                operatorClient,
                SnapshotTestSupport.reconciler(
                    operatorClient, oneAtATime, new SimpleMeterRegistry()))) {
      for (int i = 0; i < VMS; i++) {
        client
            .resource(snapshot(ns, "snap-" + i, "vm-" + i, QuiesceMode.Required, "120s"))
            .create();
      }

      awaitAllSucceeded(client, ns, VMS, Duration.ofSeconds(60));
      assertThat(helper.freezes()).isEqualTo(VMS);
      assertThat(helper.maxFrozenInCluster()).isEqualTo(1);
    }
  }
}
