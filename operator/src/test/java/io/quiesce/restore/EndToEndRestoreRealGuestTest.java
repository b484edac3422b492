package io.quiesce.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.snapshot.SnapshotTestAccess;
import io.quiesce.testkit.guest.GuestShell;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.ProcessResult;
import io.quiesce.testkit.guest.Processes;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.guest.WriterRecordCheck;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.window.GuestSocketDir;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.NodeHelper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore on real disks, once: the operator and node helper freeze the REAL agent of a running test
 * guest, the test plays the CSI cut by copying the guest's data disk while it is frozen, the
 * restore reconciler restores the snapshot into a new VM, a FAKE provisioner makes the restored
 * PVC's image from that copy, and a second guest boots from the restored image (one extra boot).
 * The restored filesystem is clean under {@code e2fsck -fn}, and its last writer record lies
 * between the last one the first guest fsync'ed before the freeze and the first one after the thaw
 * (its own console).
 */
@RealGuest
@KubeApiTest
class EndToEndRestoreRealGuestTest {
  private static final String DATA_DISK_VOLUME = "pvcdisk1";

  @Test
  void aRestoredVmBootsFromTheRestoredDiskHoldingWhatTheFrozenGuestHadWritten(
      GuestVm guest, KubeApiServer server, KubernetesClient client, @TempDir Path tmp)
      throws Exception {
    String ns = server.createNamespace("e2e-restore");
    Path snapshotCopy = tmp.resolve("snapshot-copy.img");
    try (GuestSocketDir sockets = GuestSocketDir.create();
        FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(3), Duration.ofSeconds(1));
        NodeHelper helper =
            NodeHelper.start(
                server.newClient(),
                new HelperSettings(
                    Fixtures.DEFAULT_NODE,
                    SnapshotTestAccess.operatorNamespace(),
                    List.of(sockets.root(), guest.agentSocket().getParent()),
                    List.of(sockets.template()),
                    2,
                    Duration.ofSeconds(30),
                    null),
                (ref, socket) -> new QgaClient(socket),
                new SimpleMeterRegistry());
        QuiesceTestOperator op = RestoreTestBed.startOperator(server)) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      sockets.link(vm, guest.agentSocket());
      // marked first, so that the console checked holds the writer's records before the freeze
      long mark = guest.consoleMark();
      guest.awaitWriterAdvance(Duration.ofSeconds(30));
      QuiescedSnapshot request = SnapshotTestAccess.stoppedVmSnapshot(ns, "db-snap", "db");
      request.getSpec().getQuiesce().setMode(QuiesceMode.Required);
      request.getSpec().getQuiesce().setTimeout("15s");
      request.getSpec().setFailureDeadline("2m");
      client.resource(request).create();

      // plays the storage's cut (3 s after the VolumeSnapshots appear): a copy of the disk while
      // frozen
      await("the guest frozen")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> !helper.engine().guestsConfirmedFrozen().isEmpty()); // the agent replied
      guest.copyDataDisk(snapshotCopy);
      assertThat(helper.engine().guestsConfirmedFrozen())
          .as("the copy was complete before the thaw")
          .isNotEmpty();
      QuiescedSnapshot done =
          SnapshotTestAccess.awaitPhase(client, ns, "db-snap", SnapshotPhase.Succeeded);
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      String dataDiskSnapshot =
          done.getStatus().getVolumeSnapshots().stream()
              .filter(r -> DATA_DISK_VOLUME.equals(r.getVolume()))
              .map(VolumeSnapshotRecord::getVolumeSnapshotName)
              .findFirst()
              .orElseThrow();

      // the FAKE provisioner makes the restored PVC's image from the snapshot's copy
      try (FakeRestoreProvisioner provisioner =
          FakeRestoreProvisioner.start(
              server.newClient(), ns, pvc -> makeImage(pvc, dataDiskSnapshot, snapshotCopy, tmp))) {
        client.resource(restore(ns)).create();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    client
                        .resources(io.quiesce.api.v1alpha1.QuiescedSnapshotRestore.class)
                        .inNamespace(ns)
                        .withName("db-back")
                        .get(),
                r ->
                    r != null
                        && r.getStatus() != null
                        && r.getStatus().getPhase() == RestorePhase.Succeeded);
      }
      String claim =
          RestoredVm.claimVolumes(
                  RestoredVm.specOf(
                      client
                          .resources(io.quiesce.kube.kubevirt.VirtualMachine.class)
                          .inNamespace(ns)
                          .withName("db-back")
                          .get()))
              .get(DATA_DISK_VOLUME);
      Path restoredImage = tmp.resolve(claim + ".img");
      assertThat(restoredImage).exists();

      ProcessResult fsck =
          Processes.run(
              Duration.ofSeconds(60), Map.of(), List.of("e2fsck", "-fn", restoredImage.toString()));
      assertThat(fsck.exitCode()).as("e2fsck -fn of the restored disk: %s", fsck.output()).isZero();

      String journal;
      try (GuestVm restored = GuestVm.bootFrom(restoredImage);
          QgaClient agent = new QgaClient(restored.agentSocket())) {
        journal =
            GuestShell.output(
                (command, arguments) -> agent.execute(command, arguments, Duration.ofSeconds(5)),
                "tail -n 1 /data/journal.log");
      }
      WriterRecordCheck check = WriterRecordCheck.of(guest.consoleSince(mark), journal);
      System.out.println("[figure] end to end restore: " + check.summary());
      assertThat(check.holds()).as(check.summary()).isTrue();
    }
  }

  private static io.quiesce.api.v1alpha1.QuiescedSnapshotRestore restore(String ns) {
    var target = new io.quiesce.api.v1alpha1.NewVmTarget();
    target.setName("db-back");
    var t = new io.quiesce.api.v1alpha1.RestoreTarget();
    t.setNewVM(target);
    var spec = new io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreSpec();
    spec.setSource("db-snap");
    spec.setTarget(t);
    var r = new io.quiesce.api.v1alpha1.QuiescedSnapshotRestore();
    r.getMetadata().setName("db-back");
    r.getMetadata().setNamespace(ns);
    r.setSpec(spec);
    return r;
  }

  /**
   * The provisioner's copy: the data disk's restored PVC gets its own image, a copy of the
   * snapshot's.
   */
  private static void makeImage(
      PersistentVolumeClaim pvc, String dataDiskSnapshot, Path snapshotCopy, Path dir) {
    if (!dataDiskSnapshot.equals(pvc.getSpec().getDataSourceRef().getName())) {
      return;
    }
    try {
      Path target = dir.resolve(pvc.getMetadata().getName() + ".img");
      if (!Files.exists(target)) {
        Files.copy(snapshotCopy, target);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
