package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.events;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotClass;
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
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One CSI VolumeGroupSnapshot over every disk of a consistency group ({@code spec.sources}),
 * through the operator on the test kit's in-JVM API server: the VMs are frozen through the test
 * kit's FAKE KubeVirt freeze subresources (FAKE guest agents), the group cut by the FAKE group
 * snapshot controller ({@link FakeGroupSnapshotter}), single VolumeSnapshots by the FAKE CSI
 * snapshotter.
 */
@KubeApiTest
class ConsistencyGroupVolumeGroupTest {
  private static final String VERSION = "v1";

  /** The group controller's cut takes this long: the window must last it, then end. */
  private static final Duration GROUP_CUT_DELAY = Duration.ofMillis(800);

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static final String OTHER_DRIVER = "other.csi.example.com";

  @BeforeEach
  void groupApi(KubernetesClient client) {
    if (VolumeGroupSnapshotApi.servedVersion(client).isEmpty()) {
      ClusterCrds.installGroupSnapshots(client, VERSION, "v1beta2", "v1beta1");
      Fixtures.createDefaultGroupSnapshotClass(client, VERSION);
    }
  }

  /** app: one disk; db: two disks (3 in all), each VM with a FAKE agent behind KubeVirt. */
  private static Map<String, FakeGuestAgent> twoVms(
      KubeApiServer server, KubernetesClient client, String ns, boolean dbOfOtherDriver) {
    Fixtures.runningVm(ns, "app").withPvcDisk("root", "app-root", "1Gi").create(client);
    VmScenario db =
        Fixtures.runningVm(ns, "db")
            .withPvcDisk("data", "db-data", "2Gi")
            .withPvcDisk("logs", "db-logs", "1Gi")
            .build();
    if (dbOfOtherDriver) {
      otherDriver(client);
      db.pvcs().stream()
          .filter(p -> p.getMetadata().getName().equals("db-logs"))
          .forEach(p -> p.getSpec().setStorageClassName("other-sc"));
    }
    db.create(client);
    if (dbOfOtherDriver) { // the volume the provisioner of other-sc made is of that driver
      PersistentVolumeClaim logs =
          client.persistentVolumeClaims().inNamespace(ns).withName("db-logs").get();
      client
          .persistentVolumes()
          .withName(logs.getSpec().getVolumeName())
          .edit(
              (PersistentVolume pv) -> {
                pv.getSpec().getCsi().setDriver(OTHER_DRIVER);
                return pv;
              });
    }
    Map<String, FakeGuestAgent> agents =
        Map.of("app", FakeGuestAgent.withOneDataDisk(), "db", FakeGuestAgent.withOneDataDisk());
    agents.forEach((vm, agent) -> server.kubeVirt().bind(ns, vm, agent, Duration.ofMillis(100)));
    return agents;
  }

  /** A storage class and a default VolumeSnapshotClass of a second CSI driver (no group class). */
  private static void otherDriver(KubernetesClient client) {
    client
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName("other-sc")
                .endMetadata()
                .withProvisioner(OTHER_DRIVER)
                .build())
        .createOr(c -> c.update());
    VolumeSnapshotClass other = Fixtures.defaultSnapshotClass();
    other.getMetadata().setName("other-snapclass");
    other.getMetadata().setResourceVersion(null);
    other.setDriver(OTHER_DRIVER);
    client.resource(other).createOr(c -> c.update());
  }

  private static QuiescedSnapshot group(
      String ns, String name, QuiesceMode mode, VolumeGroupMode volumeGroup) {
    QuiescedSnapshot s = snapshot(ns, name, null, mode, "1m");
    SnapshotSources sources = new SnapshotSources();
    sources.setVms(List.of("app", "db"));
    s.getSpec().setSources(sources);
    s.getSpec().setVolumeGroup(volumeGroup);
    s.getSpec().getQuiesce().setTimeout("15s");
    return s;
  }

  private static QuiesceTestOperator operator(KubeApiServer server) {
    return startOperator(server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry());
  }

  private static FakeGroupSnapshotter groupController(KubeApiServer server) {
    return FakeGroupSnapshotter.start(
        server.newClient(), VERSION, GROUP_CUT_DELAY, Duration.ofMillis(200));
  }

  private static Stream<VolumeSnapshotRecord> disks(QuiescedSnapshot s) {
    return s.getStatus().getMembers().stream()
        .filter(m -> m.getVolumeSnapshots() != null)
        .flatMap(m -> m.getVolumeSnapshots().stream());
  }

  private static boolean labelled(PersistentVolumeClaim pvc) {
    return pvc.getMetadata().getLabels() != null
        && pvc.getMetadata().getLabels().containsKey(GroupSnapshotRequests.SELECTOR_LABEL);
  }

  private static List<VolumeSnapshot> volumeSnapshots(KubernetesClient client, String ns) {
    return client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems();
  }

  @Test
  void twoVmsWithThreeDisksAreCutAsOneVolumeGroupSnapshotAndThawedOnItsCreationTime(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("cg-vgs");
    Map<String, FakeGuestAgent> agents = twoVms(server, client, ns, false);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups = groupController(server);
        QuiesceTestOperator op = operator(server)) {
      client.resource(group(ns, "shop", QuiesceMode.Required, null)).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "shop", SnapshotPhase.Succeeded, WAIT);

      VolumeGroupSnapshotRecord vgs = done.getStatus().getVolumeGroupSnapshot();
      assertThat(vgs).as("status.volumeGroupSnapshot").isNotNull();
      assertThat(vgs.getApiVersion()).isEqualTo("groupsnapshot.storage.k8s.io/v1");
      assertThat(vgs.getVolumeGroupSnapshotClassName()).isEqualTo(Fixtures.GROUP_SNAPSHOT_CLASS);
      assertThat(vgs.getCreationTime()).isNotNull();
      assertThat(vgs.getReadyToUse()).isTrue();
      assertThat(groups.records()).filteredOn(r -> r.namespace().equals(ns)).hasSize(1);
      GroupSnapshotRecord cut = groups.record(ns, vgs.getName()).orElseThrow();
      assertThat(cut.pvcs()).containsExactlyInAnyOrder("app-root", "db-data", "db-logs");
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getVolumeSnapshots()).isNullOrEmpty();
      // one freeze per VM, each thawed by the cut, the group's cut inside every VM's window
      for (GroupMember m : done.getStatus().getMembers()) {
        assertThat(m.getFrozen()).as(m.getVm()).isTrue();
        assertThat(m.getFreeze().getThawedBy()).as(m.getVm()).isEqualTo(ThawTrigger.Cut);
        assertThat(cut.cutAt())
            .as(m.getVm() + "'s window holds the group's cut")
            .isBetween(
                Instant.parse(m.getFreeze().getStartTime()),
                Instant.parse(m.getFreeze().getEndTime()));
        assertThat(agents.get(m.getVm()).freezes()).as(m.getVm()).isEqualTo(1);
        assertThat(agents.get(m.getVm()).frozen()).as(m.getVm()).isFalse();
      }
      // thawed on the group's creationTime: the common window lasted the cut, then ended
      Instant commonEnd = Instant.parse(done.getStatus().getCommonWindow().getEndTime());
      assertThat(cut.cutAt()).isBefore(commonEnd);
      assertThat(Duration.between(cut.cutAt(), commonEnd))
          .as("thawed on the cut, not at the 15 s deadline")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(done.getStatus().getCommonWindow().getDurationMs())
          .isGreaterThanOrEqualTo(GROUP_CUT_DELAY.toMillis() - 100);
      // every member VolumeSnapshot mapped back to its VM by PVC
      Map<String, GroupMember> byVm =
          Map.of(
              "app", done.getStatus().getMembers().get(0),
              "db", done.getStatus().getMembers().get(1));
      assertThat(byVm.get("app").getVm()).isEqualTo("app");
      assertThat(byVm.get("app").getVolumeSnapshots())
          .extracting(VolumeSnapshotRecord::getPersistentVolumeClaim)
          .containsExactly("app-root");
      assertThat(byVm.get("db").getVolumeSnapshots())
          .extracting(VolumeSnapshotRecord::getPersistentVolumeClaim)
          .containsExactlyInAnyOrder("db-data", "db-logs");
      for (VolumeSnapshotRecord r : disks(done).toList()) {
        VolumeSnapshot member =
            client
                .resources(VolumeSnapshot.class)
                .inNamespace(ns)
                .withName(r.getVolumeSnapshotName())
                .get();
        assertThat(member).as(r.getPersistentVolumeClaim()).isNotNull();
        assertThat(GroupSnapshotRequests.isMember(member, vgs.getName())).isTrue();
        assertThat(member.getSpec().getSource().getPersistentVolumeClaimName())
            .isEqualTo(r.getPersistentVolumeClaim());
        assertThat(r.getCreationTime()).isEqualTo(vgs.getCreationTime());
        assertThat(r.getReadyToUse()).isTrue();
      }
      assertThat(volumeSnapshots(client, ns)).hasSize(3);
      await("the selector label taken off every VM's PVCs after the terminal phase")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  client.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
                      .noneMatch(ConsistencyGroupVolumeGroupTest::labelled));

      // deletion treats the group as one unit: the VolumeGroupSnapshot goes, its members with it
      client.resource(done).delete();
      await("group and members deleted")
          .atMost(WAIT)
          .until(
              () ->
                  VolumeGroupSnapshotApi.get(client, VERSION, ns, vgs.getName()) == null
                      && volumeSnapshots(client, ns).isEmpty()
                      && client
                              .resources(QuiescedSnapshot.class)
                              .inNamespace(ns)
                              .withName("shop")
                              .get()
                          == null);
      System.out.printf(
          "[figure] group of 2 VMs, 3 disks, one VolumeGroupSnapshot: common window %d ms (group"
              + " cut delay %d ms), thaw %d ms after the cut%n",
          done.getStatus().getCommonWindow().getDurationMs(),
          GROUP_CUT_DELAY.toMillis(),
          Duration.between(cut.cutAt(), commonEnd).toMillis());
    }
  }

  @Test
  void autoFallsBackToOneVolumeSnapshotPerVolumeWhenThePvcsAreOfTwoDrivers(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("cg-auto");
    Map<String, FakeGuestAgent> agents = twoVms(server, client, ns, true);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups = groupController(server);
        QuiesceTestOperator op = operator(server)) {
      client.resource(group(ns, "shop", QuiesceMode.Required, VolumeGroupMode.Auto)).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "shop", SnapshotPhase.Succeeded, WAIT);

      assertThat(done.getStatus().getVolumeGroupSnapshot()).isNull();
      assertThat(groups.records()).filteredOn(r -> r.namespace().equals(ns)).isEmpty();
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(disks(done).toList())
          .hasSize(3)
          .allSatisfy(
              r -> {
                assertThat(r.getVolumeSnapshotName()).startsWith("shop--");
                assertThat(r.getReadyToUse()).isTrue();
              });
      assertThat(events(client, ns, "shop"))
          .anySatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo(Reason.VOLUME_GROUP_FALLBACK.wire());
                assertThat(e.getMessage())
                    .contains(
                        "2 CSI drivers",
                        "PersistentVolumeClaim db-logs of VirtualMachine db belongs to "
                            + OTHER_DRIVER,
                        "one VolumeSnapshot per volume instead");
              });
      assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems())
          .noneMatch(ConsistencyGroupVolumeGroupTest::labelled);
      agents.forEach((vm, agent) -> assertThat(agent.freezes()).as(vm).isEqualTo(1));
    }
  }

  @Test
  void requiredFailsNamingTheVmWhosePvcSpoilsTheGroupAndFreezesNothing(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("cg-required");
    Map<String, FakeGuestAgent> agents = twoVms(server, client, ns, true);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups = groupController(server);
        QuiesceTestOperator op = operator(server)) {
      client.resource(group(ns, "shop", QuiesceMode.Required, VolumeGroupMode.Required)).create();

      QuiescedSnapshot failed = awaitPhase(client, ns, "shop", SnapshotPhase.Failed, WAIT);

      assertThat(Conditions.find(failed.getStatus().getConditions(), "Failed"))
          .hasValueSatisfying(
              c -> {
                assertThat(c.getReason()).isEqualTo(Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire());
                assertThat(c.getMessage())
                    .contains(
                        "spec.volumeGroup is Required",
                        "PersistentVolumeClaim db-logs of VirtualMachine db belongs to "
                            + OTHER_DRIVER,
                        "PersistentVolumeClaim app-root of VirtualMachine app to "
                            + Fixtures.CSI_DRIVER);
              });
      agents.forEach((vm, agent) -> assertThat(agent.freezes()).as(vm + " frozen").isZero());
      assertThat(server.kubeVirt().calls()).noneMatch(c -> c.contains(ns + "/"));
      assertThat(volumeSnapshots(client, ns)).isEmpty();
      assertThat(groups.records()).filteredOn(r -> r.namespace().equals(ns)).isEmpty();
      assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems())
          .noneMatch(ConsistencyGroupVolumeGroupTest::labelled);
    }
  }

  @Test
  void aGroupCutTheStorageFailsThawsEveryVmAndFailsQuotingTheError(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("cg-cut-error");
    Map<String, FakeGuestAgent> agents = twoVms(server, client, ns, false);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups = groupController(server);
        QuiesceTestOperator op = operator(server)) {
      groups.onGroup(
          ns,
          GroupSnapshotRequests.name("shop"),
          SnapshotBehaviour.fail("consistency group quota exceeded"));
      client.resource(group(ns, "shop", QuiesceMode.Required, null)).create();

      QuiescedSnapshot failed = awaitPhase(client, ns, "shop", SnapshotPhase.Failed, WAIT);

      assertThat(Conditions.find(failed.getStatus().getConditions(), "Failed"))
          .hasValueSatisfying(
              c -> {
                assertThat(c.getReason()).isEqualTo(Reason.VOLUME_SNAPSHOT_FAILED.wire());
                assertThat(c.getMessage())
                    .contains(
                        "VolumeGroupSnapshot " + ns + "/" + GroupSnapshotRequests.name("shop"),
                        "consistency group quota exceeded",
                        "every VM was thawed");
              });
      assertThat(failed.getStatus().getVolumeGroupSnapshot().getError())
          .isEqualTo("consistency group quota exceeded");
      for (GroupMember m : failed.getStatus().getMembers()) {
        assertThat(m.getFrozen()).as(m.getVm()).isTrue();
        assertThat(m.getFreeze().getThawedBy()).as(m.getVm()).isEqualTo(ThawTrigger.Error);
        assertThat(m.getFreeze().getEndTime()).as(m.getVm()).isNotNull();
      }
      agents.forEach(
          (vm, agent) -> {
            assertThat(agent.frozen()).as(vm + " thawed").isFalse();
            assertThat(agent.thaws()).as(vm).isEqualTo(agent.freezes());
          });
      await("the selector label taken off")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  client.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
                      .noneMatch(ConsistencyGroupVolumeGroupTest::labelled));
    }
  }

  @Test
  void bestEffortKeepsAVmThatDidNotFreezeOutOfTheGroupCut(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("cg-besteffort");
    Fixtures.runningVm(ns, "app").withPvcDisk("root", "app-root", "1Gi").create(client);
    Fixtures.runningVm(ns, "db")
        .withPvcDisk("data", "db-data", "2Gi")
        .withPvcDisk("logs", "db-logs", "1Gi")
        .agentDisconnected()
        .create(client); // no agent bound: KubeVirt's freeze of db fails
    FakeGuestAgent app = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "app", app, Duration.ofMillis(100));
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups = groupController(server);
        QuiesceTestOperator op = operator(server)) {
      client.resource(group(ns, "shop", QuiesceMode.BestEffort, null)).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "shop", SnapshotPhase.Succeeded, WAIT);

      VolumeGroupSnapshotRecord vgs = done.getStatus().getVolumeGroupSnapshot();
      GroupSnapshotRecord cut = groups.record(ns, vgs.getName()).orElseThrow();
      assertThat(cut.pvcs()).as("only the frozen VM's PVCs").containsExactly("app-root");
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(done.getStatus().getConsistencyReason())
          .isEqualTo(Reason.GROUP_MEMBER_NOT_FROZEN.wire());
      GroupMember appMember = done.getStatus().getMembers().get(0);
      GroupMember dbMember = done.getStatus().getMembers().get(1);
      assertThat(appMember.getFrozen()).isTrue();
      assertThat(appMember.getVolumeSnapshots())
          .singleElement()
          .satisfies(r -> assertThat(cut.members()).contains(r.getVolumeSnapshotName()));
      assertThat(dbMember.getFrozen()).isFalse();
      assertThat(dbMember.getVolumeSnapshots())
          .hasSize(2)
          .allSatisfy(
              r -> {
                assertThat(r.getVolumeSnapshotName()).startsWith("shop--");
                assertThat(cut.members()).doesNotContain(r.getVolumeSnapshotName());
                assertThat(r.getReadyToUse()).isTrue();
              });
      assertThat(app.frozen()).isFalse();
    }
  }
}
