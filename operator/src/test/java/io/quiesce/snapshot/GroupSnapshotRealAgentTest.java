package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.events;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.status.Conditions;
import io.quiesce.status.Reason;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.kube.ClusterCrds;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.csi.FakeGroupSnapshotter;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.GroupSnapshotRecord;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.window.GuestSocketDir;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.NodeHelper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * spec.volumeGroup end to end: the operator and the node helper on the in-JVM API server, the fake
 * CSI snapshot and group-snapshot controllers (fakes: no storage here), freezing the REAL
 * qemu-guest-agent of the test guest. Each test starts its own API server, so that which
 * group-snapshot CRDs and classes exist is the test's own.
 */
@RealGuest
class GroupSnapshotRealAgentTest {
  private static final Duration GROUP_CUT_DELAY = Duration.ofSeconds(2);

  private static NodeHelper startHelper(
      KubeApiServer server, GuestVm guest, GuestSocketDir sockets, SimpleMeterRegistry registry) {
    HelperSettings settings =
        new HelperSettings(
            Fixtures.DEFAULT_NODE,
            OPERATOR_NAMESPACE,
            List.of(sockets.root(), guest.agentSocket().getParent()),
            List.of(sockets.template()),
            2,
            Duration.ofSeconds(30),
            null);
    return NodeHelper.start(
        server.newClient(), settings, (ref, socket) -> new QgaClient(socket), registry);
  }

  private static FreezeState freezeStatus(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      return client.freezeStatus();
    }
  }

  /** A running VM with three CSI disks. */
  private static VmScenario threeDiskVm(KubernetesClient client, String ns) {
    return Fixtures.runningVm(ns, "db")
        .withPvcDisk("root", "db-root", "2Gi")
        .withPvcDisk("data", "db-data", "2Gi")
        .withPvcDisk("logs", "db-logs", "1Gi")
        .create(client);
  }

  @Test
  void aThreeDiskVmIsFrozenOnceCutAsOneGroupAndThawedOnTheGroupsCreationTime(GuestVm guest) {
    SimpleMeterRegistry helperMetrics = new SimpleMeterRegistry();
    try (KubeApiServer server = KubeApiServer.start();
        GuestSocketDir sockets = GuestSocketDir.create()) {
      KubernetesClient client = server.client();
      ClusterCrds.installGroupSnapshots(client, "v1", "v1beta2", "v1beta1");
      Fixtures.createDefaultGroupSnapshotClass(client, "v1");
      String ns = server.createNamespace("group");
      try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
          FakeGroupSnapshotter groups =
              FakeGroupSnapshotter.start(
                  server.newClient(), "v1", GROUP_CUT_DELAY, Duration.ofMillis(500));
          NodeHelper helper = startHelper(server, guest, sockets, helperMetrics);
          QuiesceTestOperator op =
              startOperator(
                  server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
        VmScenario vm = threeDiskVm(client, ns);
        sockets.link(vm, guest.agentSocket());
        QuiescedSnapshot request = snapshot(ns, "db-group", "db", QuiesceMode.Required, "2m");
        request.getSpec().getQuiesce().setTimeout("15s");
        client.resource(request).create();

        QuiescedSnapshot done =
            awaitPhase(client, ns, "db-group", SnapshotPhase.Succeeded, Duration.ofSeconds(60));

        FreezeRecord freeze = done.getStatus().getFreeze();
        VolumeGroupSnapshotRecord group = done.getStatus().getVolumeGroupSnapshot();
        GroupSnapshotRecord cut = groups.record(ns, group.getName()).orElseThrow();
        assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
        assertThat(group.getApiVersion()).isEqualTo("groupsnapshot.storage.k8s.io/v1");
        assertThat(group.getVolumeGroupSnapshotClassName())
            .isEqualTo(Fixtures.GROUP_SNAPSHOT_CLASS);
        assertThat(group.getCreationTime()).isNotNull();
        assertThat(group.getReadyToUse()).isTrue();
        assertThat(groups.records()).as("one group cut").hasSize(1);
        assertThat(cut.pvcs()).containsExactlyInAnyOrderElementsOf(vm.claimNames()).hasSize(3);
        // one freeze: one thaw recorded by the helper's engine, one window on the status
        assertThat(helperMetrics.get("quiesce.helper.thaw.duration").timer().count()).isEqualTo(1);
        assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Cut);
        assertThat(freeze.getFilesystemsFrozen()).isEqualTo(1);
        Instant start = Instant.parse(freeze.getStartTime());
        Instant end = Instant.parse(freeze.getEndTime());
        assertThat(cut.cutAt()).as("the group cut inside the window").isBetween(start, end);
        // thawed on the group's creationTime: the window lasted the cut delay, then ended
        assertThat(freeze.getDurationMs()).isBetween(GROUP_CUT_DELAY.toMillis(), 10_000L);
        assertThat(Duration.between(cut.cutAt(), end)).isLessThan(Duration.ofSeconds(2));
        // every disk is a member, named by the group controller, recorded per volume
        List<VolumeSnapshot> all =
            client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems();
        assertThat(all)
            .hasSize(3)
            .allMatch(vs -> GroupSnapshotRequests.isMember(vs, group.getName()));
        assertThat(done.getStatus().getVolumeSnapshots())
            .hasSize(3)
            .allSatisfy(
                r -> {
                  assertThat(cut.members()).contains(r.getVolumeSnapshotName());
                  assertThat(r.getCreationTime()).isEqualTo(group.getCreationTime());
                  assertThat(r.getReadyToUse()).isTrue();
                });
        assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
        await("the selector label taken off the PVCs")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    client.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
                        .noneMatch(GroupSnapshotRealAgentTest::labelled));

        // deletion treats the group as one unit: the group goes, its members with it
        client.resource(done).delete();
        await("group and members deleted")
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    VolumeGroupSnapshotApi.get(client, "v1", ns, group.getName()) == null
                        && client
                            .resources(VolumeSnapshot.class)
                            .inNamespace(ns)
                            .list()
                            .getItems()
                            .isEmpty());
        System.out.printf(
            "[figure] group snapshot of 3 disks: one freeze of %d ms (group cut delay %d ms), "
                + "thaw %d ms after the cut%n",
            freeze.getDurationMs(),
            GROUP_CUT_DELAY.toMillis(),
            Duration.between(cut.cutAt(), end).toMillis());
      }
    }
  }

  @Test
  void autoFallsBackToOneVolumeSnapshotPerVolumeWhenNoGroupClassFits(GuestVm guest) {
    try (KubeApiServer server = KubeApiServer.start();
        GuestSocketDir sockets = GuestSocketDir.create()) {
      KubernetesClient client = server.client();
      ClusterCrds.installGroupSnapshots(
          client, "v1beta2", "v1beta1"); // served, but no class for the driver
      String ns = server.createNamespace("group-auto");
      try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
          NodeHelper helper = startHelper(server, guest, sockets, new SimpleMeterRegistry());
          QuiesceTestOperator op =
              startOperator(
                  server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
        VmScenario vm = threeDiskVm(client, ns);
        sockets.link(vm, guest.agentSocket());
        QuiescedSnapshot request = snapshot(ns, "db-auto", "db", QuiesceMode.Required, "2m");
        request.getSpec().getQuiesce().setTimeout("15s");
        client.resource(request).create();

        QuiescedSnapshot done =
            awaitPhase(client, ns, "db-auto", SnapshotPhase.Succeeded, Duration.ofSeconds(60));

        assertThat(done.getStatus().getVolumeGroupSnapshot()).isNull();
        assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
        assertThat(done.getStatus().getVolumeSnapshots())
            .hasSize(3)
            .allSatisfy(r -> assertThat(r.getVolumeSnapshotName()).startsWith("db-auto--"));
        assertThat(events(client, ns, "db-auto"))
            .anySatisfy(
                e -> {
                  assertThat(e.getReason()).isEqualTo(Reason.VOLUME_GROUP_FALLBACK.wire());
                  assertThat(e.getMessage())
                      .contains(
                          "no VolumeGroupSnapshotClass for CSI driver " + Fixtures.CSI_DRIVER);
                });
        assertThat(VolumeGroupSnapshotApi.servedVersion(client)).contains("v1beta2");
        assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      }
    }
  }

  @Test
  void requiredFailsClearlyWhenNoGroupClassFitsAndFreezesNothing(GuestVm guest) {
    SimpleMeterRegistry helperMetrics = new SimpleMeterRegistry();
    try (KubeApiServer server = KubeApiServer.start();
        GuestSocketDir sockets = GuestSocketDir.create()) {
      KubernetesClient client = server.client();
      ClusterCrds.installGroupSnapshots(client, "v1");
      String ns = server.createNamespace("group-required");
      try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
          NodeHelper helper = startHelper(server, guest, sockets, helperMetrics);
          QuiesceTestOperator op =
              startOperator(
                  server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
        VmScenario vm = threeDiskVm(client, ns);
        sockets.link(vm, guest.agentSocket());
        QuiescedSnapshot request = snapshot(ns, "db-required", "db", QuiesceMode.Required, "2m");
        request.getSpec().setVolumeGroup(VolumeGroupMode.Required);
        client.resource(request).create();

        QuiescedSnapshot failed = awaitPhase(client, ns, "db-required", SnapshotPhase.Failed);

        assertThat(Conditions.find(failed.getStatus().getConditions(), "Failed"))
            .hasValueSatisfying(
                c -> {
                  assertThat(c.getReason()).isEqualTo(Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire());
                  assertThat(c.getMessage())
                      .contains(
                          "spec.volumeGroup is Required",
                          "no VolumeGroupSnapshotClass for CSI driver " + Fixtures.CSI_DRIVER);
                });
        assertThat(failed.getStatus().getFreeze()).isNull();
        assertThat(helperMetrics.find("quiesce.helper.thaw.duration").timer().count()).isZero();
        assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems())
            .isEmpty();
        assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems())
            .noneMatch(GroupSnapshotRealAgentTest::labelled);
        assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      }
    }
  }

  private static boolean labelled(PersistentVolumeClaim pvc) {
    return pvc.getMetadata().getLabels() != null
        && pvc.getMetadata().getLabels().containsKey(GroupSnapshotRequests.SELECTOR_LABEL);
  }
}
