package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
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
import io.quiesce.status.Conditions;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.guest.WriterProgress;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotBehaviour;
import io.quiesce.testkit.kube.csi.SnapshotRecord;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.window.GuestSocketDir;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.NodeHelper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The whole product in one JVM: the operator's reconciler and the node helper, on the in-JVM
 * Kubernetes API with the fake CSI snapshotter, freezing the REAL qemu-guest-agent of the test
 * guest. {@code kubectl apply} of a QuiescedSnapshot is a create here; everything after it is the
 * product.
 */
@RealGuest
@KubeApiTest
class EndToEndRealAgentTest {
  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);

  private static NodeHelper startHelper(
      KubeApiServer server, GuestVm guest, GuestSocketDir sockets) {
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
        server.newClient(),
        settings,
        (ref, socket) -> new QgaClient(socket),
        new SimpleMeterRegistry());
  }

  private static FreezeState freezeStatus(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      return client.freezeStatus();
    }
  }

  @Test
  void aQuiescedSnapshotFreezesTheGuestCutsEveryDiskWhileFrozenAndSucceeds(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("e2e");
    try (GuestSocketDir sockets = GuestSocketDir.create();
        FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(3), Duration.ofSeconds(1));
        NodeHelper helper = startHelper(server, guest, sockets);
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      sockets.link(vm, guest.agentSocket());
      guest.awaitWriterAdvance(WRITER_TIMEOUT);
      CountDownLatch looked = new CountDownLatch(1);
      csi.holdCutsUntil(looked, Duration.ofSeconds(20));
      QuiescedSnapshot request = snapshot(ns, "db-e2e", "db", QuiesceMode.Required, "2m");
      request.getSpec().getQuiesce().setTimeout("15s");
      client.resource(request).create();

      // while the helper holds the freeze (the cut takes 3 s, and waits for this look), the guest's
      // writer makes no progress
      await("the guest frozen")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> !helper.engine().guestsConfirmedFrozen().isEmpty());
      double up = guest.awaitFreshGuestUptime(Duration.ofSeconds(3));
      WriterProgress atFreeze = guest.writerProgress();
      guest.awaitGuestUptime(up + 1.0, Duration.ofSeconds(5));
      assertThat(guest.writerProgress()).as("writer while frozen").isEqualTo(atFreeze);
      looked.countDown();

      QuiescedSnapshot done = awaitPhase(client, ns, "db-e2e", SnapshotPhase.Succeeded);

      FreezeRecord freeze = done.getStatus().getFreeze();
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getNodeName()).isEqualTo(Fixtures.DEFAULT_NODE);
      assertThat(freeze.getMethod()).isEqualTo(FreezeMethod.QGA);
      assertThat(freeze.getReason()).isEqualTo("Frozen");
      assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Cut);
      assertThat(freeze.getFilesystemsFrozen()).isEqualTo(1);
      assertThat(freeze.getDurationMs()).isBetween(3000L, 15_000L);
      Instant start = Instant.parse(freeze.getStartTime());
      Instant end = Instant.parse(freeze.getEndTime());
      assertThat(done.getStatus().getVolumeSnapshots())
          .hasSize(vm.claimNames().size())
          .allSatisfy(
              r -> {
                assertThat(r.getReadyToUse()).isTrue();
                SnapshotRecord cut = csi.record(ns, r.getVolumeSnapshotName()).orElseThrow();
                assertThat(cut.cutAt())
                    .as("cut of %s inside the freeze window", r.getVolume())
                    .isBetween(start, end);
              });
      assertThat(Conditions.isTrue(done.getStatus().getConditions(), "Ready")).isTrue();
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      assertThat(guest.awaitWriterAdvance(WRITER_TIMEOUT).iteration())
          .isGreaterThan(atFreeze.iteration());
      System.out.printf(
          "[figure] end to end: %s in %d ms frozen (cut delay 3000 ms), %d VolumeSnapshots%n",
          done.getStatus().getConsistency(),
          freeze.getDurationMs(),
          done.getStatus().getVolumeSnapshots().size());
    }
  }

  @Test
  void aSnapshotThatNeverCutsIsThawedAtTheDeadlineAndFailsHonestly(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("e2e-nocut");
    try (GuestSocketDir sockets = GuestSocketDir.create();
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        NodeHelper helper = startHelper(server, guest, sockets);
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      sockets.link(vm, guest.agentSocket());
      csi.onPvc(ns, vm.claimNames().get(0), SnapshotBehaviour.neverCut());
      QuiescedSnapshot request = snapshot(ns, "db-nocut", "db", QuiesceMode.Required, "1m");
      request.getSpec().getQuiesce().setTimeout("2s");
      client.resource(request).create();

      QuiescedSnapshot failed = awaitPhase(client, ns, "db-nocut", SnapshotPhase.Failed);

      FreezeRecord freeze = failed.getStatus().getFreeze();
      assertThat(freeze.getReason()).isEqualTo("QuiesceTimeout");
      assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Watchdog);
      // the watchdog thaws at the deadline (counted from before the freeze was sent; the engine's
      // own tests check it is never early), the window counts from the freeze reply: at most the
      // timeout plus the thaw's round trip
      assertThat(freeze.getDurationMs()).isBetween(1L, 3000L);
      assertThat(failed.getStatus().getConsistency())
          .isNotEqualTo(Consistency.FilesystemConsistent);
      assertThat(Conditions.find(failed.getStatus().getConditions(), "Failed"))
          .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("QuiesceTimeout"));
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      System.out.printf(
          "[figure] end to end, storage never cuts: frozen %d ms for a quiesce.timeout of 2000 ms%n",
          freeze.getDurationMs());
    }
  }

  @Test
  void anOperatorRestartedWhileTheGuestIsFrozenResumesAndCreatesNothingTwice(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("e2e-restart");
    try (GuestSocketDir sockets = GuestSocketDir.create();
        FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(3), Duration.ofSeconds(1));
        NodeHelper helper = startHelper(server, guest, sockets)) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      sockets.link(vm, guest.agentSocket());
      QuiescedSnapshot request = snapshot(ns, "db-restart", "db", QuiesceMode.Required, "2m");
      request.getSpec().getQuiesce().setTimeout("15s");
      QuiesceTestOperator first =
          startOperator(server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry());
      try {
        client.resource(request).create();
        await("the guest frozen")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> !helper.engine().guestsFrozen().isEmpty());
      } finally {
        first.close(); // the operator dies while the guest is frozen
      }
      try (QuiesceTestOperator second =
          startOperator(server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
        QuiescedSnapshot done = awaitPhase(client, ns, "db-restart", SnapshotPhase.Succeeded);

        assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
        assertThat(
                client
                    .resources(io.quiesce.kube.csi.VolumeSnapshot.class)
                    .inNamespace(ns)
                    .list()
                    .getItems())
            .as("one VolumeSnapshot per disk, none twice")
            .hasSize(vm.claimNames().size());
        assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
        System.out.printf(
            "[figure] end to end, operator restarted mid-flight: frozen %d ms (cut delay 3000 ms, "
                + "quiesce.timeout 15000 ms)%n",
            done.getStatus().getFreeze().getDurationMs());
      }
    }
  }
}
