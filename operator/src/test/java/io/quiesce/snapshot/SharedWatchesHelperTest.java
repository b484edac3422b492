package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitAllSucceeded;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The FAKE node helper following watches it did not start (the scale bench's: the snapshotter's
 * VolumeSnapshots, the bench's unfiltered QuiescedSnapshots) freezes each snapshot once, as on its
 * own watches, and leaves those watches running when it is closed.
 */
@KubeApiTest
class SharedWatchesHelperTest {
  private static final int VMS = 6;

  @Test
  void freezesEachSnapshotOnceAndLeavesTheWatchesItFollowedRunning(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("shared");
    for (int i = 0; i < VMS; i++) {
      Fixtures.runningVm(ns, "vm-" + i)
          .withPvcDisk("root", "vm-" + i + "-root", "1Gi")
          .create(client);
    }
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(20), Duration.ofMillis(20));
        var snapshots = client.resources(QuiescedSnapshot.class).inNamespace(ns).inform();
        QuiesceTestOperator op =
            startOperator(server, settings(2, 1, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      FakeNodeHelper helper =
          FakeNodeHelper.start(
              server.newClient(),
              Behaviour.FREEZE_OK,
              OPERATOR_NAMESPACE,
              4,
              List.of(Fixtures.DEFAULT_NODE),
              Duration.ofSeconds(30),
              new FakeNodeHelper.Watches(snapshots, csi.volumeSnapshots()));
      try (helper) {
        for (int i = 0; i < VMS; i++) {
          client
              .resource(snapshot(ns, "snap-" + i, "vm-" + i, QuiesceMode.Required, "120s"))
              .create();
        }

        awaitAllSucceeded(client, ns, VMS, Duration.ofSeconds(60));
        assertThat(helper.freezes()).isEqualTo(VMS);
        assertThat(helper.timesAVmWasFrozenTwice()).isZero();
        assertThat(helper.timelines().values()).allSatisfy(t -> assertThat(t.recorded).isNotNull());
      }
      assertThat(snapshots.isRunning()).isTrue();
      assertThat(csi.volumeSnapshots().isRunning()).isTrue();
    }
  }
}
