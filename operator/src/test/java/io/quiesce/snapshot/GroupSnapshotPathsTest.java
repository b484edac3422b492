package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.status.Conditions;
import io.quiesce.status.Reason;
import io.quiesce.testkit.kube.ClusterCrds;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeGroupSnapshotter;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.GroupSnapshotRecord;
import io.quiesce.testkit.kube.csi.SnapshotBehaviour;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group cut on the paths without a node helper: the operator's KubeVirt window (the test kit's
 * FAKE of KubeVirt and its guest agent, for the failure-free path of that channel), a stopped VM
 * (no freeze at all), a group the storage fails, and deletionPolicy Retain.
 */
@KubeApiTest
class GroupSnapshotPathsTest {
  private static final String VERSION = "v1beta2";

  /** Well under the 1m failureDeadline: a group followed only at the deadline fails this. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  @BeforeEach
  void groupApi(KubernetesClient client) {
    if (VolumeGroupSnapshotApi.servedVersion(client).isEmpty()) {
      ClusterCrds.installGroupSnapshots(client, VERSION, "v1beta1");
      Fixtures.createDefaultGroupSnapshotClass(client, VERSION);
    }
  }

  @Test
  void theKubeVirtWindowCutsTheGroupAndUnfreezesOnItsCreationTime(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("group-kv");
    Fixtures.runningVm(ns, "db").onNode("node-without-helper").create(client);
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "db", guest, Duration.ofMillis(200));
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups =
            FakeGroupSnapshotter.start(
                server.newClient(), VERSION, Duration.ofMillis(800), Duration.ofMillis(200));
        var op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      QuiescedSnapshot request = snapshot(ns, "s1", "db", QuiesceMode.Required, "1m");
      request.getSpec().getQuiesce().setTimeout("10s");
      client.resource(request).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WAIT);

      VolumeGroupSnapshotRecord group = done.getStatus().getVolumeGroupSnapshot();
      GroupSnapshotRecord cut = groups.record(ns, group.getName()).orElseThrow();
      assertThat(done.getStatus().getFreeze().getMethod()).isEqualTo(FreezeMethod.KUBEVIRT_API);
      assertThat(done.getStatus().getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Cut);
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(cut.cutAt())
          .isBetween(
              Instant.parse(done.getStatus().getFreeze().getStartTime()),
              Instant.parse(done.getStatus().getFreeze().getEndTime()));
      assertThat(done.getStatus().getVolumeSnapshots())
          .hasSize(2)
          .allSatisfy(r -> assertThat(cut.members()).contains(r.getVolumeSnapshotName()));
      assertThat(guest.frozen()).isFalse();
    }
  }

  @Test
  void aStoppedVmIsCutAsOneGroupWithoutAFreeze(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("group-stopped");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups =
            FakeGroupSnapshotter.start(
                server.newClient(), VERSION, Duration.ofMillis(100), Duration.ofMillis(100));
        var op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "1m")).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WAIT);

      assertThat(done.getStatus().getFreeze()).isNull();
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getVolumeGroupSnapshot().getReadyToUse()).isTrue();
      assertThat(groups.records())
          .filteredOn(r -> r.namespace().equals(ns))
          .singleElement()
          .satisfies(r -> assertThat(r.members()).hasSize(2));
      assertThat(done.getStatus().getVolumeSnapshots())
          .allSatisfy(r -> assertThat(r.getReadyToUse()).isTrue());
    }
  }

  @Test
  void aGroupTheStorageFailsFailsTheSnapshotQuotingTheError(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("group-fail");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups =
            FakeGroupSnapshotter.start(
                server.newClient(), VERSION, Duration.ofMillis(100), Duration.ofMillis(100));
        var op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      groups.onGroup(
          ns,
          GroupSnapshotRequests.name("s1"),
          SnapshotBehaviour.fail("consistency group quota exceeded"));
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "1m")).create();

      QuiescedSnapshot failed = awaitPhase(client, ns, "s1", SnapshotPhase.Failed, WAIT);

      assertThat(Conditions.find(failed.getStatus().getConditions(), "Failed"))
          .hasValueSatisfying(
              c -> {
                assertThat(c.getReason()).isEqualTo(Reason.VOLUME_GROUP_SNAPSHOT_FAILED.wire());
                assertThat(c.getMessage()).contains("consistency group quota exceeded");
              });
      assertThat(failed.getStatus().getVolumeGroupSnapshot().getError())
          .isEqualTo("consistency group quota exceeded");
    }
  }

  @Test
  void underRetainTheGroupAndItsMembersOutliveTheSnapshot(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("group-retain");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups =
            FakeGroupSnapshotter.start(
                server.newClient(), VERSION, Duration.ofMillis(100), Duration.ofMillis(100));
        var op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      QuiescedSnapshot request = snapshot(ns, "s1", "db", QuiesceMode.Required, "1m");
      request.getSpec().setDeletionPolicy(DeletionPolicy.Retain);
      client.resource(request).create();
      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WAIT);

      client.resource(done).delete();

      await()
          .atMost(WAIT)
          .until(
              () ->
                  client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("s1").get()
                      == null);
      assertThat(
              VolumeGroupSnapshotApi.get(
                  client, VERSION, ns, done.getStatus().getVolumeGroupSnapshot().getName()))
          .isNotNull();
      List<VolumeSnapshot> members =
          client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems();
      assertThat(members).hasSize(2);
    }
  }
}
