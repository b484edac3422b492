package io.quiesce.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotRetention;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.naming.ChildNames;
import io.quiesce.schedule.QuiescedSnapshotScheduleReconciler;
import io.quiesce.schedule.ScheduleSettings;
import io.quiesce.snapshot.SnapshotTestAccess;
import io.quiesce.testkit.MovableClock;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Restores through the test API server with real kubevirt.io/v1 and CSI shapes: the snapshot
 * reconciler takes a real snapshot (of a stopped VM, cut by the fake snapshotter), the restore
 * reconciler restores it, a FAKE provisioner binds the PVCs it creates.
 */
@KubeApiTest
class RestoreIntegrationTest {
  private static final String DATA_VOLUME = "datavolumedisk1";
  private static final String PVC_VOLUME = "pvcdisk1";

  @Test
  void restoresIntoANewVmBesideTheOriginal(KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "newvm");
    Fixtures.runningVm(bed.ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator()) {
      QuiescedSnapshot snapshot = bed.snapshot("s1", "db");
      assertThat(snapshot.getStatus().getVmDefinition().getSpec())
          .as("the definition was kept")
          .isNotNull();

      bed.newVm("copy", "s1", "db-copy", null);
      QuiescedSnapshotRestore done = bed.awaitPhase("copy", RestorePhase.Succeeded);

      assertThat(done.getStatus().getTargetVM()).isEqualTo("db-copy");
      assertThat(done.getStatus().getVolumes())
          .extracting(v -> v.getPersistentVolumeClaim())
          .containsExactlyInAnyOrder(
              ChildNames.restoredClaim("copy", PVC_VOLUME),
              ChildNames.restoredClaim("copy", DATA_VOLUME));
      for (PersistentVolumeClaim pvc : bed.restoredClaims("copy")) {
        assertThat(pvc.getSpec().getDataSourceRef().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(pvc.getSpec().getDataSourceRef().getName()).startsWith("s1");
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo(Fixtures.STORAGE_CLASS);
      }
      VirtualMachine copy = bed.vm("db-copy");
      var spec = RestoredVm.specOf(copy);
      assertThat(RestoredVm.claimVolumes(spec))
          .containsEntry(PVC_VOLUME, ChildNames.restoredClaim("copy", PVC_VOLUME))
          .containsEntry(DATA_VOLUME, ChildNames.restoredClaim("copy", DATA_VOLUME));
      assertThat(spec.path("runStrategy").asText()).isEqualTo("Always");
      assertThat(copy.getMetadata().getLabels()).containsEntry("kubevirt.io/vm", "db-copy");
      assertThat(copy.getMetadata().getAnnotations())
          .containsEntry(QuiescedSnapshotRestore.RESTORED_FROM_ANNOTATION, "s1");
      assertThat(RestoredVm.claimVolumes(RestoredVm.specOf(bed.vm("db"))))
          .as("the original is untouched")
          .containsEntry(PVC_VOLUME, "db-disk-alpine");
      await().until(() -> !bed.held("s1"));
      assertThat(bed.events("copy"))
          .extracting(e -> e.getReason())
          .contains("RestoreStarted", "Restored");
    }
  }

  @Test
  void restoresInPlaceStoppingAndRestartingTheVm(KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "inplace");
    Fixtures.runningVm(bed.ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator()) {
      bed.snapshot("s1", "db");
      start(client, bed.ns, "db");

      bed.inPlace("refused", "s1", false);
      assertThat(bed.awaitPhase("refused", RestorePhase.Failed).getStatus().getReason())
          .isEqualTo("VMRunning");
      assertThat(bed.events("refused"))
          .anyMatch(e -> "Warning".equals(e.getType()) && "VMRunning".equals(e.getReason()));

      bed.inPlace("rollback", "s1", true);
      bed.awaitPhase("rollback", RestorePhase.WaitingForVMStop);
      // plays virt-controller: a VM set to Halted loses its instance
      await().until(() -> "Halted".equals(bed.vm("db").getSpec().getRunStrategy()));
      client.resources(VirtualMachineInstance.class).inNamespace(bed.ns).withName("db").delete();

      QuiescedSnapshotRestore done = bed.awaitPhase("rollback", RestorePhase.Succeeded);
      assertThat(done.getStatus().getVmWasRunning()).isTrue();
      assertThat(done.getStatus().getVolumes())
          .extracting(v -> v.getPreviousClaim())
          .containsExactlyInAnyOrder("db-disk-alpine", "db-alpine-dv");
      VirtualMachine vm = bed.vm("db");
      assertThat(vm.getSpec().getRunStrategy()).as("started again").isEqualTo("Always");
      assertThat(RestoredVm.claimVolumes(RestoredVm.specOf(vm)))
          .containsEntry(PVC_VOLUME, ChildNames.restoredClaim("rollback", PVC_VOLUME))
          .containsEntry(DATA_VOLUME, ChildNames.restoredClaim("rollback", DATA_VOLUME));
      assertThat(
              client.persistentVolumeClaims().inNamespace(bed.ns).withName("db-disk-alpine").get())
          .as("previous PVCs are kept")
          .isNotNull();
      assertThat(done.getStatus().getConditions())
          .extracting(c -> c.getType() + "=" + c.getStatus())
          .contains("VMStopped=True", "VolumesReady=True", "VMUpdated=True", "Ready=True");
    }
  }

  @Test
  void restartedOperatorResumesARestoreAndCreatesNothingTwice(
      KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "restart");
    Fixtures.runningVm(bed.ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns)) {
      provisioner.hold();
      List<String> claimUids;
      try (QuiesceTestOperator first = bed.startOperator()) {
        bed.snapshot("s1", "db");
        bed.newVm("copy", "s1", "db-copy", null);
        bed.awaitPhase("copy", RestorePhase.RestoringVolumes);
        await().until(() -> bed.restoredClaims("copy").size() == 2);
        claimUids =
            bed.restoredClaims("copy").stream()
                .map(c -> c.getMetadata().getUid())
                .sorted()
                .toList();
        assertThat(bed.held("s1")).as("the source is held while the restore reads it").isTrue();
      }
      provisioner.release();
      try (QuiesceTestOperator second = bed.startOperator()) {
        bed.awaitPhase("copy", RestorePhase.Succeeded);
      }
      assertThat(
              bed.restoredClaims("copy").stream()
                  .map(c -> c.getMetadata().getUid())
                  .sorted()
                  .toList())
          .as("the same two PVCs, none created again")
          .isEqualTo(claimUids);
      assertThat(provisioner.uidsSeen).hasSize(2);
      assertThat(
              client
                  .resources(VirtualMachine.class)
                  .inNamespace(bed.ns)
                  .withLabel(QuiescedSnapshotRestore.RESTORE_LABEL, "copy")
                  .list()
                  .getItems())
          .hasSize(1);
      assertThat(bed.held("s1")).isFalse();
    }
  }

  @Test
  void aTargetInAnotherNamespaceIsRefusedAndNothingIsCreated(
      KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "crossns");
    String other = server.createNamespace("elsewhere");
    Fixtures.runningVm(bed.ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op = bed.startOperator()) {
      bed.snapshot("s1", "db");
      bed.newVm("away", "s1", "db-copy", other);
      QuiescedSnapshotRestore refused = bed.awaitPhase("away", RestorePhase.Failed);
      assertThat(refused.getStatus().getReason()).isEqualTo("CrossNamespaceTarget");
      assertThat(refused.getStatus().getMessage()).contains(other);
      await()
          .until(
              () ->
                  bed.events("away").stream()
                      .anyMatch(
                          e ->
                              "Warning".equals(e.getType())
                                  && "CrossNamespaceTarget".equals(e.getReason())));
      assertThat(client.resources(VirtualMachine.class).inNamespace(other).list().getItems())
          .isEmpty();
      assertThat(
              client.resources(VirtualMachine.class).inNamespace(bed.ns).withName("db-copy").get())
          .isNull();
      assertThat(client.persistentVolumeClaims().inNamespace(other).list().getItems()).isEmpty();
      assertThat(bed.restoredClaims("away")).isEmpty();
      assertThat(bed.held("s1")).isFalse();
    }
  }

  @Test
  void retentionKeepsTheSnapshotARestoreReads(KubeApiServer server, KubernetesClient client) {
    RestoreTestBed bed = new RestoreTestBed(server, client, "retention");
    Fixtures.runningVm(bed.ns, "db").stopped().create(client);
    MovableClock clock = new MovableClock(Instant.now());
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName("hourly");
    schedule.getMetadata().setNamespace(bed.ns);
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule("0 * * * *");
    spec.setVmSelector(new LabelSelector(List.of(), Map.of("kubevirt.io/vm", "db")));
    SnapshotRetention retention = new SnapshotRetention();
    retention.setKeepLast(1);
    spec.setRetention(retention);
    schedule.setSpec(spec);
    client.resource(schedule).create();
    KubernetesClient scheduleClient = server.newClient();
    Instant slot = clock.instant().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator();
        QuiesceTestOperator schedules =
            QuiesceTestOperator.start(
                scheduleClient,
                new QuiescedSnapshotScheduleReconciler(
                    scheduleClient,
                    clock,
                    new SimpleMeterRegistry(),
                    ScheduleSettings.defaults().withMaxRequeueDelay(Duration.ofMillis(200))))) {
      provisioner.hold();
      clock.set(slot.plusSeconds(1));
      String first = ChildNames.scheduledSnapshot("hourly", "db", slot);
      SnapshotTestAccess.awaitPhase(client, bed.ns, first, SnapshotPhase.Succeeded);
      bed.newVm("copy", first, "db-copy", null);
      await().until(() -> bed.held(first));

      slot = slot.plus(Duration.ofHours(1));
      clock.set(slot.plusSeconds(1));
      String second = ChildNames.scheduledSnapshot("hourly", "db", slot);
      SnapshotTestAccess.awaitPhase(client, bed.ns, second, SnapshotPhase.Succeeded);
      // keepLast=1 would delete the first now; it is under restore, so it stays and is not even
      // marked
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                QuiescedSnapshot s = bed.source(first);
                return s != null && !s.isMarkedForDeletion();
              });

      provisioner.release();
      bed.awaitPhase("copy", RestorePhase.Succeeded);
      await().until(() -> !bed.held(first));
      slot = slot.plus(Duration.ofHours(1));
      clock.set(slot.plusSeconds(1));
      String third = ChildNames.scheduledSnapshot("hourly", "db", slot);
      SnapshotTestAccess.awaitPhase(client, bed.ns, third, SnapshotPhase.Succeeded);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> bed.source(first) == null && bed.source(second) == null);
    }
  }

  /** Plays a user starting the VM and KubeVirt creating its instance. */
  private static void start(KubernetesClient client, String ns, String vm) {
    client
        .resources(VirtualMachine.class)
        .inNamespace(ns)
        .withName(vm)
        .edit(
            v -> {
              v.getSpec().setRunStrategy("Always");
              return v;
            });
    VirtualMachineInstance vmi =
        Serialization.clone(Fixtures.runningVm(ns, vm).build().vmi().orElseThrow());
    client.resource(vmi).create();
  }
}
