package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.testkit.guest.DiskImages;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.ProcessResult;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.guest.WriterProgress;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotRecord;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeKubeVirtApi;
import io.quiesce.testkit.kubevirt.QgaKubeVirtGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The {@code kubevirt-api} channel end to end against the REAL guest: the operator freezes through
 * KubeVirt's subresources, served by the test kit's FAKE of virt-api/virt-handler/virt-launcher
 * ({@link FakeKubeVirtApi}), which acts on the test guest through its real qemu-guest-agent and
 * reports {@code status.fsFreezeStatus} at KubeVirt's own 5 s poll interval. No node helper runs.
 */
@RealGuest
@KubeApiTest
class EndToEndKubeVirtApiTest {
  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void aKubeVirtApiSnapshotIsConfirmedFromKubeVirtsOwnReportsAndIsFilesystemConsistent(
      GuestVm guest, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("e2e-kv");
    Path copy = Files.createTempFile("kubevirt-api-copy", ".img");
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(3), Duration.ofSeconds(1));
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      server.kubeVirt().bind(ns, "db", new QgaKubeVirtGuest(guest.agentSocket()));
      int guestFilesystems;
      try (QgaClient agent = new QgaClient(guest.agentSocket())) {
        guestFilesystems = agent.filesystems().size();
      }
      guest.awaitWriterAdvance(WRITER_TIMEOUT);
      CountDownLatch looked = new CountDownLatch(1);
      csi.holdCutsUntil(looked, Duration.ofSeconds(20));
      QuiescedSnapshot request = snapshot(ns, "db-kv", "db", QuiesceMode.Required, "2m");
      request.getSpec().getQuiesce().setChannel(QuiesceChannel.KUBEVIRT_API);
      request.getSpec().getQuiesce().setTimeout("15s");
      client.resource(request).create();

      // inside KubeVirt's freeze (the cut takes 3 s, and waits for this look) the guest's writer
      // makes no progress, and a copy of its data disk is taken
      await("KubeVirt froze the guest")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> server.kubeVirt().calls().contains("PUT freeze " + ns + "/db 200"));
      double up = guest.awaitFreshGuestUptime(Duration.ofSeconds(3));
      WriterProgress atFreeze = guest.writerProgress();
      guest.copyDataDisk(copy);
      guest.awaitGuestUptime(up + 1.0, Duration.ofSeconds(5));
      assertThat(guest.writerProgress()).as("writer while frozen").isEqualTo(atFreeze);
      assertThat(server.kubeVirt().calls())
          .as("the copy was taken before the unfreeze")
          .doesNotContain("PUT unfreeze " + ns + "/db 200");
      looked.countDown();

      QuiescedSnapshot done = awaitPhase(client, ns, "db-kv", SnapshotPhase.Succeeded);

      FreezeRecord freeze = done.getStatus().getFreeze();
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("Frozen");
      assertThat(freeze.getMethod()).isEqualTo(FreezeMethod.KUBEVIRT_API);
      assertThat(freeze.getReason()).isEqualTo("Frozen");
      assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Cut);
      assertThat(freeze.getFilesystemsFrozen())
          .as("counted from KubeVirt's filesystemlist")
          .isEqualTo(guestFilesystems)
          .isPositive();
      assertThat(freeze.getDurationMs()).isBetween(3000L, 15_000L);
      Instant start = Instant.parse(freeze.getStartTime());
      Instant end = Instant.parse(freeze.getEndTime());
      assertThat(done.getStatus().getVolumeSnapshots())
          .hasSize(vm.claimNames().size())
          .allSatisfy(
              r -> {
                SnapshotRecord cut = csi.record(ns, r.getVolumeSnapshotName()).orElseThrow();
                assertThat(cut.cutAt())
                    .as("cut of %s inside the freeze window", r.getVolume())
                    .isBetween(start, end);
              });
      assertThat(server.kubeVirt().calls())
          .filteredOn(c -> c.startsWith("PUT") && c.contains(ns + "/"))
          .containsExactly("PUT freeze " + ns + "/db 200", "PUT unfreeze " + ns + "/db 200");
      try (QgaClient agent = new QgaClient(guest.agentSocket())) {
        assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
      }
      await("KubeVirt reports the guest thawed")
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  client
                          .resources(VirtualMachineInstance.class)
                          .inNamespace(ns)
                          .withName("db")
                          .get()
                          .getStatus()
                          .getFsFreezeStatus()
                      == null);
      ProcessResult fsck = DiskImages.e2fsck(copy);
      assertThat(fsck.succeeded())
          .as("e2fsck -fn of the copy taken inside KubeVirt's freeze: %s", fsck.output())
          .isTrue();
      assertThat(guest.awaitWriterAdvance(WRITER_TIMEOUT).iteration())
          .isGreaterThan(atFreeze.iteration());
      System.out.printf(
          "[figure] end to end kubevirt-api: %s, %d filesystem(s) from KubeVirt, frozen %d ms "
              + "(cut delay 3000 ms, KubeVirt's fsFreezeStatus poll 5000 ms)%n",
          done.getStatus().getConsistency(), freeze.getFilesystemsFrozen(), freeze.getDurationMs());
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  @Test
  void kubeVirtThawsByItselfAtTheUnfreezeTimeoutWhenNoOneUnfreezes(
      GuestVm guest, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("e2e-kv-deadman");
    Fixtures.runningVm(ns, "db").create(client);
    server
        .kubeVirt()
        .bind(ns, "db", new QgaKubeVirtGuest(guest.agentSocket()), Duration.ofMillis(500));
    KubeVirtFreezeApi api = new HttpKubeVirtFreezeApi(server.newClient(), Duration.ofSeconds(10));

    Instant frozen = Instant.now();
    api.freeze(ns, "db", Duration.ofSeconds(2)); // and the caller "dies": no unfreeze

    await("KubeVirt reports the guest frozen")
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                "frozen"
                    .equals(
                        client
                            .resources(VirtualMachineInstance.class)
                            .inNamespace(ns)
                            .withName("db")
                            .get()
                            .getStatus()
                            .getFsFreezeStatus()));
    await("virt-launcher's safety unfreeze thaws the guest")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                client
                        .resources(VirtualMachineInstance.class)
                        .inNamespace(ns)
                        .withName("db")
                        .get()
                        .getStatus()
                        .getFsFreezeStatus()
                    == null);
    Duration held = Duration.between(frozen, Instant.now());
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
    assertThat(held)
        .as("thawed at the unfreezeTimeout (2 s) plus one status poll")
        .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(6));
    assertThat(server.kubeVirt().calls()).doesNotContain("PUT unfreeze " + ns + "/db 200");
  }
}
