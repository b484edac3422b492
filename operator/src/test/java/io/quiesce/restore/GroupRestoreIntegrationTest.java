package io.quiesce.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoredMember;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.naming.ChildNames;
import io.quiesce.snapshot.SnapshotTestAccess;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Restores of a group snapshot (spec.sources) through the test API server: the snapshot reconciler
 * freezes two running VMs together (FAKE agents behind the test kit's FAKE KubeVirt subresources,
 * cuts by the FAKE CSI snapshotter), the restore reconciler restores the group, a FAKE provisioner
 * binds the PVCs it creates. Both VMs have volumes of the same names ({@code pvcdisk1}, {@code
 * datavolumedisk1}), so the restored PVCs must carry the VM in their names.
 */
@KubeApiTest
class GroupRestoreIntegrationTest {
  private static final List<String> VOLUMES = List.of("pvcdisk1", "datavolumedisk1");

  @Test
  void restoresEveryMemberOfAGroupIntoNewVms(KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "grp-whole");
    runningVms(server, client, bed.ns, "app", "db");
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator()) {
      QuiescedSnapshot shop = groupSnapshot(bed, "shop", QuiesceMode.Required, "app", "db");
      assertThat(shop.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(shop.getStatus().getMembers())
          .as("each member keeps its VM's definition")
          .allSatisfy(m -> assertThat(m.getVmDefinition().getSpec()).as(m.getVm()).isNotNull());

      bed.newVm("copy", "shop", "copy", null);
      QuiescedSnapshotRestore done = bed.awaitPhase("copy", RestorePhase.Succeeded);

      assertThat(done.getStatus().getMembers())
          .extracting(RestoredMember::getVm, RestoredMember::getTargetVM, RestoredMember::getPhase)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("app", "copy--app", RestorePhase.Succeeded),
              org.assertj.core.groups.Tuple.tuple("db", "copy--db", RestorePhase.Succeeded));
      assertThat(done.getStatus().getVolumes()).as("kept per member").isNull();
      assertThat(Conditions.find(done.getStatus().getConditions(), "Ready"))
          .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
      for (String vm : List.of("app", "db")) {
        VirtualMachine copy = bed.vm("copy--" + vm);
        assertThat(copy).as("the new VM of " + vm).isNotNull();
        Map<String, String> claims = RestoredVm.claimVolumes(RestoredVm.specOf(copy));
        Map<String, String> snapshots = memberSnapshots(shop, vm);
        for (String volume : VOLUMES) {
          String claim = ChildNames.restoredGroupClaim("copy", vm, volume);
          assertThat(claims).containsEntry(volume, claim);
          PersistentVolumeClaim pvc =
              client.persistentVolumeClaims().inNamespace(bed.ns).withName(claim).get();
          assertThat(pvc.getSpec().getDataSourceRef().getName())
              .as("%s/%s is restored from its own VolumeSnapshot", vm, volume)
              .isEqualTo(snapshots.get(volume));
        }
        assertThat(copy.getMetadata().getLabels()).containsEntry("kubevirt.io/vm", "copy--" + vm);
        assertThat(copy.getMetadata().getAnnotations())
            .containsEntry(QuiescedSnapshotRestore.RESTORED_FROM_ANNOTATION, "shop");
      }
      assertThat(bed.restoredClaims("copy")).hasSize(4);
      await().until(() -> !bed.held("shop"));
      assertThat(bed.events("copy"))
          .filteredOn(e -> "Restored".equals(e.getReason()))
          .anyMatch(e -> e.getMessage().contains("app -> copy--app"));
    }
  }

  @Test
  void restoresOnlyTheNamedMember(KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "grp-one");
    runningVms(server, client, bed.ns, "app", "db");
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator()) {
      groupSnapshot(bed, "shop", QuiesceMode.Required, "app", "db");

      bed.create("only-db", "shop", newVm("only"), null, List.of("db"));
      QuiescedSnapshotRestore done = bed.awaitPhase("only-db", RestorePhase.Succeeded);

      assertThat(done.getStatus().getMembers())
          .extracting(RestoredMember::getVm, RestoredMember::getTargetVM)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("db", "only--db"));
      assertThat(bed.vm("only--db")).isNotNull();
      assertThat(bed.vm("only--app")).as("app was not asked for").isNull();
      assertThat(bed.restoredClaims("only-db"))
          .extracting(c -> c.getMetadata().getName())
          .containsExactlyInAnyOrder(
              ChildNames.restoredGroupClaim("only-db", "db", "pvcdisk1"),
              ChildNames.restoredGroupClaim("only-db", "db", "datavolumedisk1"));
    }
  }

  @Test
  void restoresAMemberInPlaceStoppingAndRestartingIt(
      KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "grp-inplace");
    runningVms(server, client, bed.ns, "app", "db");
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator()) {
      groupSnapshot(bed, "shop", QuiesceMode.Required, "app", "db");
      io.quiesce.api.v1alpha1.InPlaceTarget inPlace = new io.quiesce.api.v1alpha1.InPlaceTarget();
      inPlace.setStopVM(true);
      io.quiesce.api.v1alpha1.RestoreTarget t = new io.quiesce.api.v1alpha1.RestoreTarget();
      t.setInPlace(inPlace);
      bed.create("db-back", "shop", t, null, List.of("db"));

      bed.awaitPhase("db-back", RestorePhase.WaitingForVMStop);
      // plays virt-controller: a VM set to Halted loses its instance
      await().until(() -> "Halted".equals(bed.vm("db").getSpec().getRunStrategy()));
      client
          .resources(io.quiesce.kube.kubevirt.VirtualMachineInstance.class)
          .inNamespace(bed.ns)
          .withName("db")
          .delete();

      QuiescedSnapshotRestore done = bed.awaitPhase("db-back", RestorePhase.Succeeded);
      RestoredMember db = done.getStatus().getMembers().get(0);
      assertThat(db.getTargetVM()).isEqualTo("db");
      assertThat(db.getVmWasRunning()).isTrue();
      assertThat(db.getVolumes())
          .extracting(v -> v.getPreviousClaim())
          .containsExactlyInAnyOrder("db-disk-alpine", "db-alpine-dv");
      Map<String, String> claims = RestoredVm.claimVolumes(RestoredVm.specOf(bed.vm("db")));
      for (String volume : VOLUMES) {
        assertThat(claims)
            .containsEntry(volume, ChildNames.restoredGroupClaim("db-back", "db", volume));
      }
      assertThat(bed.vm("db").getSpec().getRunStrategy()).as("started again").isEqualTo("Always");
      assertThat(RestoredVm.claimVolumes(RestoredVm.specOf(bed.vm("app"))))
          .as("app is not a member of this restore")
          .containsEntry("pvcdisk1", "app-disk-alpine");
    }
  }

  @Test
  void badInputFailsWithAConditionAndAnEventAndCreatesNothing(
      KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "grp-bad");
    runningVms(server, client, bed.ns, "app");
    Fixtures.runningVm(bed.ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator()) {
      // BestEffort: db does not run, so it is a member left out (frozen: false, no disks)
      QuiescedSnapshot partial = groupSnapshot(bed, "partial", QuiesceMode.BestEffort, "app", "db");
      assertThat(partial.getStatus().getMembers())
          .filteredOn(m -> "db".equals(m.getVm()))
          .singleElement()
          .satisfies(m -> assertThat(m.getFrozen()).isFalse());
      // Required: the same group fails at once
      QuiescedSnapshot failed = groupSnapshotIn(bed, "failed", QuiesceMode.Required, "app", "db");
      assertThat(failed.getStatus().getPhase()).isEqualTo(SnapshotPhase.Failed);

      bed.create("no-such", "partial", newVm("x"), true, List.of("app", "nosuch"));
      bed.create("not-cut", "partial", newVm("y"), true, List.of("db"));
      bed.create("not-done", "failed", newVm("z"), true, null);

      expectRefused(bed, "no-such", "MemberNotInSnapshot", "[nosuch]");
      expectRefused(bed, "not-cut", "MemberNotCut", "db (VirtualMachineStopped)");
      expectRefused(bed, "not-done", "SourceFailed", "failed");
      for (String prefix : List.of("x", "y", "z")) {
        for (String vm : List.of("app", "db")) {
          assertThat(bed.vm(ChildNames.restoredGroupVm(prefix, vm))).isNull();
        }
      }
      assertThat(bed.held("partial")).isFalse();

      // without spec.members the members the snapshot cut are restored: app, not db
      bed.create("cut-ones", "partial", newVm("cut"), true, null);
      QuiescedSnapshotRestore done = bed.awaitPhase("cut-ones", RestorePhase.Succeeded);
      assertThat(done.getStatus().getMembers())
          .extracting(RestoredMember::getVm)
          .containsExactly("app");
    }
  }

  @Test
  void membersOfAOneVmSnapshotAreRefused(KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "grp-single");
    Fixtures.runningVm(bed.ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op = bed.startOperator()) {
      bed.snapshot("single", "db");
      bed.create("members", "single", newVm("m"), null, List.of("db"));
      expectRefused(bed, "members", "NotAGroupSnapshot", "remove spec.members");
      assertThat(bed.vm("m")).isNull();
    }
  }

  private static void expectRefused(
      RestoreTestBed bed, String restore, String reason, String messagePart) {
    QuiescedSnapshotRestore r = bed.awaitPhase(restore, RestorePhase.Failed);
    assertThat(r.getStatus().getReason()).isEqualTo(reason);
    assertThat(r.getStatus().getMessage()).contains(messagePart);
    assertThat(Conditions.find(r.getStatus().getConditions(), "Ready"))
        .hasValueSatisfying(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo(reason);
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                bed.events(restore).stream()
                    .anyMatch(e -> "Warning".equals(e.getType()) && reason.equals(e.getReason())));
    assertThat(bed.restoredClaims(restore)).as("nothing created").isEmpty();
  }

  private static io.quiesce.api.v1alpha1.RestoreTarget newVm(String name) {
    io.quiesce.api.v1alpha1.NewVmTarget target = new io.quiesce.api.v1alpha1.NewVmTarget();
    target.setName(name);
    io.quiesce.api.v1alpha1.RestoreTarget t = new io.quiesce.api.v1alpha1.RestoreTarget();
    t.setNewVM(target);
    return t;
  }

  private static void runningVms(
      KubeApiServer server, KubernetesClient client, String ns, String... vms) {
    for (String vm : vms) {
      Fixtures.runningVm(ns, vm).create(client);
      server.kubeVirt().bind(ns, vm, FakeGuestAgent.withOneDataDisk(), Duration.ofMillis(200));
    }
  }

  /** A group snapshot of {@code vms}, awaited to Succeeded. */
  private static QuiescedSnapshot groupSnapshot(
      RestoreTestBed bed, String name, QuiesceMode mode, String... vms) {
    QuiescedSnapshot s = groupSnapshotIn(bed, name, mode, vms);
    assertThat(s.getStatus().getPhase()).as(name).isEqualTo(SnapshotPhase.Succeeded);
    return s;
  }

  /** A group snapshot of {@code vms}, awaited to Succeeded or Failed. */
  private static QuiescedSnapshot groupSnapshotIn(
      RestoreTestBed bed, String name, QuiesceMode mode, String... vms) {
    QuiescedSnapshot s = SnapshotTestAccess.stoppedVmSnapshot(bed.ns, name, null);
    s.getSpec().setSource(null);
    SnapshotSources sources = new SnapshotSources();
    sources.setVms(List.of(vms));
    s.getSpec().setSources(sources);
    s.getSpec().getQuiesce().setMode(mode);
    s.getSpec().getQuiesce().setTimeout("10s");
    bed.client.resource(s).create();
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> bed.source(name),
            x ->
                x != null
                    && x.getStatus() != null
                    && (x.getStatus().getPhase() == SnapshotPhase.Succeeded
                        || x.getStatus().getPhase() == SnapshotPhase.Failed));
  }

  private static Map<String, String> memberSnapshots(QuiescedSnapshot s, String vm) {
    GroupMember m =
        s.getStatus().getMembers().stream()
            .filter(x -> vm.equals(x.getVm()))
            .findFirst()
            .orElseThrow();
    return m.getVolumeSnapshots().stream()
        .collect(
            Collectors.toMap(
                VolumeSnapshotRecord::getVolume, VolumeSnapshotRecord::getVolumeSnapshotName));
  }
}
