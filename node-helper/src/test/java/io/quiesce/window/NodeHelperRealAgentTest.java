package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.HelperHandBack;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.locate.PinnedSocket;
import io.quiesce.naming.Provenance;
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
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node helper end to end against the REAL qemu-guest-agent in the test guest, the in-JVM
 * Kubernetes API and the fake CSI snapshotter: the happy path and the fault cases. Frozen times are
 * printed as {@code [figure] ...} lines for the closing note. Each test leaves the guest
 * thawed.
 */
@RealGuest
@KubeApiTest
class NodeHelperRealAgentTest {
  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(40);

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private GuestSocketDir sockets;

  /**
   * The node's freeze journal: shared by a killed helper process and the helper started after it.
   */
  @TempDir Path journalDir;

  @BeforeEach
  void socketRoot() {
    sockets = GuestSocketDir.create();
  }

  @AfterEach
  void closeAll(GuestVm guest) throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    sockets.close();
    assertThat(guest.ensureThawed(Duration.ofSeconds(10)))
        .as("the test left the guest frozen")
        .isFalse();
  }

  @Test
  void freezesCutsEveryDiskInsideTheWindowThawsAndRecords(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("happy");
    VmScenario vm = linkedVm(client, ns, "db", guest);
    // a slow cut, so that the test can watch the writer stall inside the window
    FakeSnapshotter csi =
        closeLater(
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(4), Duration.ofMillis(200)));
    guest.awaitWriterAdvance(WRITER_TIMEOUT);
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "db-snap", QuiesceMode.Required, "15s", false);

    NodeHelper helper = startHelper(server, guest, ns);
    await("the guest frozen by the helper")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !helper.engine().guestsFrozen().isEmpty());
    // a heartbeat first: the freeze (and the console line of a write that finished just before it)
    // has landed
    double up = guest.awaitFreshGuestUptime(Duration.ofSeconds(3));
    WriterProgress atFreeze = guest.writerProgress();
    guest.awaitGuestUptime(up + 1.0, Duration.ofSeconds(5));
    WriterProgress later = guest.writerProgress();
    assertThat(helper.engine().guestsFrozen())
        .as("still inside the window when the writer was read")
        .isNotEmpty();
    assertThat(later).as("writer while frozen").isEqualTo(atFreeze);

    FreezeRecord record = awaitRecord(client, qsnap);
    assertThat(record.getReason()).isEqualTo("Frozen");
    assertThat(record.getMethod()).isEqualTo(FreezeMethod.QGA);
    assertThat(record.getFilesystemsFrozen()).isEqualTo(1);
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Cut);
    assertThat(record.getError()).isNull();
    Instant start = Instant.parse(record.getStartTime());
    Instant end = Instant.parse(record.getEndTime());
    assertThat(Duration.between(start, end).toMillis()).isEqualTo(record.getDurationMs());

    List<VolumeSnapshot> created = AssignedSnapshots.volumeSnapshots(client, ns);
    assertThat(created)
        .hasSize(2)
        .allSatisfy(
            v -> {
              assertThat(v.getMetadata().getLabels())
                  .containsEntry(Provenance.SNAPSHOT, "db-snap")
                  .containsEntry(Provenance.VM, "db")
                  .containsEntry(Provenance.MANAGED_BY, "quiesce");
              assertThat(v.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(
                      owner -> {
                        assertThat(owner.getUid()).isEqualTo(qsnap.getMetadata().getUid());
                        assertThat(owner.getController()).isTrue();
                      });
              // the API carries whole seconds: creationTime lies in the window at that precision
              // ...
              Instant creation = Instant.parse(v.getStatus().getCreationTime());
              assertThat(creation).isBetween(start.truncatedTo(ChronoUnit.SECONDS), end);
              // ... and the snapshotter's own cut instant lies in it exactly
              SnapshotRecord cut = csi.record(ns, v.getMetadata().getName()).orElseThrow();
              assertThat(cut.cut().orElseThrow()).isBetween(start, end);
            });
    // never waited for readyToUse: the window ended long before the last one became ready
    assertThat(guest.awaitWriterAdvance(WRITER_TIMEOUT).iteration())
        .as("writer after the thaw")
        .isGreaterThan(atFreeze.iteration());
    await("Frozen and Thawed events")
        .atMost(Duration.ofSeconds(10))
        .until(() -> eventReasons(client, ns).containsAll(List.of("Frozen", "Thawed")));
    System.out.printf(
        "[figure] helper happy path: frozen %d ms for 2 VolumeSnapshots with a 4000 ms cut delay%n",
        record.getDurationMs());
  }

  @Test
  void aSnapshotThatNeverCutsIsThawedByTheWatchdogAtTheDeadline(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("nevercut");
    VmScenario vm = linkedVm(client, ns, "db", guest);
    FakeSnapshotter csi = closeLater(FakeSnapshotter.start(server.newClient()));
    csi.onPvc(ns, vm.claimNames().get(0), SnapshotBehaviour.neverCut());
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "db-snap", QuiesceMode.Required, "1500ms", false);

    Instant beforeTheFreeze = Instant.now();
    startHelper(server, guest, ns);
    FreezeRecord record = awaitRecord(client, qsnap);

    assertThat(record.getReason()).isEqualTo("QuiesceTimeout");
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Watchdog);
    // the window counts from the freeze reply, the watchdog's deadline from the send (a slow guest
    // spends part of the 1500 ms freezing): at most the deadline, and the thaw not before it
    assertThat(record.getDurationMs()).isBetween(1L, 2500L);
    assertThat(Instant.parse(record.getEndTime()))
        .isAfterOrEqualTo(beforeTheFreeze.plusMillis(1450));
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    System.out.printf(
        "[figure] helper, snapshot never cuts: frozen %d ms for a deadline of 1500 ms (+%d ms)%n",
        record.getDurationMs(), record.getDurationMs() - 1500);
  }

  @Test
  void aVolumeSnapshotErrorWhileFrozenThawsAtOnce(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("vserror");
    VmScenario vm = linkedVm(client, ns, "db", guest);
    FakeSnapshotter csi = closeLater(FakeSnapshotter.start(server.newClient()));
    csi.onPvc(
        ns, vm.claimNames().get(1), SnapshotBehaviour.fail("storage backend refused the snapshot"));
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "db-snap", QuiesceMode.Required, "20s", false);

    startHelper(server, guest, ns);
    FreezeRecord record = awaitRecord(client, qsnap);

    assertThat(record.getReason()).isEqualTo("VolumeSnapshotFailed");
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Error);
    assertThat(record.getError()).contains("storage backend refused the snapshot");
    assertThat(record.getDurationMs()).as("thawed long before the 20 s deadline").isLessThan(5000L);
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    System.out.printf(
        "[figure] helper, VolumeSnapshot error: frozen %d ms for a deadline of 20000 ms%n",
        record.getDurationMs());
  }

  @Test
  void deletingTheSnapshotWhileFrozenThawsAtOnce(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("deleted");
    VmScenario vm = linkedVm(client, ns, "db", guest);
    FakeSnapshotter csi = closeLater(FakeSnapshotter.start(server.newClient()));
    csi.onPvc(ns, vm.claimNames().get(0), SnapshotBehaviour.neverCut());
    // the operator's finalizer keeps the deleted object until the operator has cleaned up
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "db-snap", QuiesceMode.Required, "20s", true);

    NodeHelper helper = startHelper(server, guest, ns);
    await("VolumeSnapshots created inside the window")
        .atMost(Duration.ofSeconds(20))
        .until(() -> AssignedSnapshots.volumeSnapshots(client, ns).size() == 2);
    assertThat(helper.engine().guestsFrozen()).isNotEmpty();
    client.resource(qsnap).delete();

    FreezeRecord record = awaitRecord(client, qsnap);
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Deletion);
    assertThat(record.getReason()).isEqualTo("SnapshotDeleted");
    assertThat(record.getDurationMs()).as("thawed long before the 20 s deadline").isLessThan(5000L);
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    System.out.printf(
        "[figure] helper, snapshot deleted while frozen: frozen %d ms for a deadline of 20000 ms%n",
        record.getDurationMs());
    client
        .resource(AssignedSnapshots.get(client, qsnap))
        .edit(
            q -> {
              q.getMetadata().setFinalizers(List.of());
              return q;
            });
  }

  @Test
  void stoppingTheHelperWhileFrozenThawsAtOnceAndRecordsShutdown(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("stopping");
    VmScenario vm = linkedVm(client, ns, "db", guest);
    FakeSnapshotter csi = closeLater(FakeSnapshotter.start(server.newClient()));
    csi.onPvc(ns, vm.claimNames().get(0), SnapshotBehaviour.neverCut());
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "db-snap", QuiesceMode.Required, "20s", false);

    NodeHelper helper = startHelper(server, guest, ns);
    await("VolumeSnapshots created inside the window")
        .atMost(Duration.ofSeconds(20))
        .until(() -> AssignedSnapshots.volumeSnapshots(client, ns).size() == 2);
    helper.close(); // what SIGTERM does

    FreezeRecord record = awaitRecord(client, qsnap);
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Shutdown);
    assertThat(record.getReason()).isEqualTo("HelperShutdown");
    assertThat(record.getDurationMs()).as("thawed long before the 20 s deadline").isLessThan(5000L);
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    System.out.printf(
        "[figure] helper stopped (SIGTERM path) while frozen: frozen %d ms for a deadline of 20000 ms%n",
        record.getDurationMs());
  }

  @Test
  void noSocketFoundRecordsTheReasonOfTheChannelWithoutTouchingTheGuest(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("nosocket");
    // the VM's launcher pod has no socket under the root: nothing is linked
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    closeLater(FakeSnapshotter.start(server.newClient()));
    QuiescedSnapshot required =
        AssignedSnapshots.assign(
            client, vm, "required", QuiesceMode.Required, "5s", false, QuiesceChannel.QGA);
    QuiescedSnapshot bestEffort =
        AssignedSnapshots.assign(
            client, vm, "best-effort", QuiesceMode.BestEffort, "5s", false, QuiesceChannel.QGA);
    QuiescedSnapshot auto =
        AssignedSnapshots.assign(
            client, vm, "auto", QuiesceMode.BestEffort, "5s", false, QuiesceChannel.AUTO);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    startHelper(server, guest, ns, registry);
    FreezeRecord requiredRecord = awaitRecord(client, required);
    FreezeRecord bestEffortRecord = awaitRecord(client, bestEffort);
    HelperHandBack autoHandBack =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> AssignedSnapshots.get(client, auto).getStatus().getHelperHandBack(),
                h -> h != null);

    for (FreezeRecord record : List.of(requiredRecord, bestEffortRecord)) {
      assertThat(record.getReason()).isEqualTo("AgentSocketNotFound");
      assertThat(record.getMethod()).isEqualTo(FreezeMethod.QGA);
      assertThat(record.getError()).contains(sockets.expectedSocket(vm).toString());
      assertThat(record.getFilesystemsFrozen()).isZero();
      assertThat(record.getStartTime()).isNull();
    }
    // auto with no channel leaves the freeze to the operator (kubevirt-api): nothing recorded as
    // used
    // a hand-back, not a freeze record: status.freeze stays for the operator's KubeVirt freeze
    assertThat(autoHandBack.getReason()).isEqualTo("NoAgentChannel");
    assertThat(AssignedSnapshots.get(client, auto).getStatus().getFreeze()).isNull();
    assertThat(autoHandBack.getMessage())
        .contains("the libvirt channel is not configured")
        .contains(sockets.expectedSocket(vm).toString());
    // Required creates nothing, auto leaves it to the operator; BestEffort qga snapshots unfrozen
    // (crash-consistent)
    assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
        .extracting(v -> v.getMetadata().getLabels().get(Provenance.SNAPSHOT))
        .containsOnly("best-effort")
        .hasSize(2);
    assertThat(registry.find("quiesce.helper.freeze.outcomes").counters())
        .as("no freeze attempted")
        .isEmpty();
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void aHelperKilledWhileFrozenIsThawedByTheNextHelperWhichRecordsIt(
      GuestVm guest, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("killed");
    VmScenario vm = linkedVm(client, ns, "db", guest);
    FakeSnapshotter csi = closeLater(FakeSnapshotter.start(server.newClient()));
    csi.onPvc(ns, vm.claimNames().get(0), SnapshotBehaviour.neverCut());
    String leaseNamespace = server.createNamespace("helper");
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assignWithSlotIn(
            client, vm, "db-snap", QuiesceMode.Required, "30s", leaseNamespace);

    int healthPort = freePort();
    Process first = startHelperProcess(server, guest, leaseNamespace, healthPort);
    long killedAt;
    try {
      await("VolumeSnapshots created inside the first helper's window")
          .atMost(Duration.ofSeconds(60))
          .until(() -> AssignedSnapshots.volumeSnapshots(client, ns).size() == 2);
      // the run command's wiring: heartbeat Lease, health and metrics endpoints
      assertThat(
              client
                  .leases()
                  .inNamespace(leaseNamespace)
                  .withName("quiesce-helper-" + Fixtures.DEFAULT_NODE)
                  .get())
          .isNotNull();
      assertThat(httpGet(healthPort, "/readyz").statusCode()).isEqualTo(200);
      assertThat(httpGet(healthPort, "/metrics").body()).contains("quiesce_helper_frozen_guests");
      killedAt = System.nanoTime();
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no watchdog
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      first.destroyForcibly();
    }
    assertThat(freezeStatus(guest))
        .as("nothing thawed the guest when its helper died")
        .isEqualTo(FreezeState.FROZEN);

    NodeHelper second = startHelper(server, guest, leaseNamespace);
    long thawedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    assertThat(second.recovery().guests())
        .anySatisfy(
            g -> {
              assertThat(g.guest()).isEqualTo(new GuestRef(ns, "db"));
              assertThat(g.action()).isEqualTo(RecoveryAction.THAWED);
            });
    FreezeRecord record = awaitRecord(client, qsnap);
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Recovery);
    assertThat(record.getReason()).isEqualTo("HelperRestarted");
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
        .as("nothing created twice")
        .hasSize(2);
    System.out.printf(
        "[figure] helper SIGKILLed while frozen: the next helper thawed the guest %d ms after the "
            + "kill (deadline 30000 ms; in-process start-up)%n",
        thawedAfterMs);
    guest.awaitWriterAdvance(WRITER_TIMEOUT);
  }

  private VmScenario linkedVm(KubernetesClient client, String ns, String name, GuestVm guest) {
    VmScenario vm = Fixtures.runningVm(ns, name).create(client);
    sockets.link(vm, guest.agentSocket());
    return vm;
  }

  private HelperSettings settings(GuestVm guest, String leaseNamespace) {
    return new HelperSettings(
            Fixtures.DEFAULT_NODE,
            leaseNamespace,
            List.of(sockets.root(), guest.agentSocket().getParent()),
            List.of(sockets.template()),
            4,
            Duration.ofSeconds(30),
            null)
        .withJournal(journalDir);
  }

  private NodeHelper startHelper(KubeApiServer server, GuestVm guest, String leaseNamespace) {
    return startHelper(server, guest, leaseNamespace, new SimpleMeterRegistry());
  }

  private NodeHelper startHelper(
      KubeApiServer server, GuestVm guest, String leaseNamespace, SimpleMeterRegistry registry) {
    return closeLater(
        NodeHelper.start(
            server.newClient(),
            settings(guest, leaseNamespace),
            (ref, socket) -> new QgaClient(socket),
            registry));
  }

  /** {@code java ... Main run} against the test API server, as the DaemonSet runs it. */
  private Process startHelperProcess(
      KubeApiServer server, GuestVm guest, String leaseNamespace, int healthPort) throws Exception {
    HelperSettings s = settings(guest, leaseNamespace);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    command.addAll(PinnedSocket.JVM_FLAGS); // as the chart's command
    command.addAll(
        List.of(
            "-Dkubernetes.master=" + server.url("/"),
            "-Dkubernetes.auth.tryKubeConfig=false",
            "-Dkubernetes.auth.tryServiceAccount=false",
            "-Dkubernetes.trust.certificates=true",
            "io.quiesce.helper.Main",
            "run"));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("NODE_NAME", s.nodeName());
    builder.environment().put("POD_NAMESPACE", leaseNamespace);
    builder
        .environment()
        .put("QUIESCE_SOCKET_ROOTS", s.socketRoots().get(0) + "," + s.socketRoots().get(1));
    builder.environment().put("QUIESCE_SOCKET_TEMPLATES", s.socketTemplates().get(0));
    builder.environment().put("QUIESCE_MAX_FREEZES_PER_NODE", "4");
    builder.environment().put("QUIESCE_FREEZE_TIMEOUT_MAX", "30s");
    builder.environment().put("QUIESCE_HEALTH_ADDRESS", "127.0.0.1:" + healthPort);
    builder.environment().put("QUIESCE_JOURNAL_DIR", s.journalDir().toString());
    File log = new File("target/helper-killed-child.log");
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static HttpResponse<String> httpGet(int port, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static FreezeRecord awaitRecord(KubernetesClient client, QuiescedSnapshot qsnap) {
    await("status.freeze of " + qsnap.getMetadata().getName())
        .atMost(RECORD_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              QuiescedSnapshot live = AssignedSnapshots.get(client, qsnap);
              return live != null
                  && live.getStatus() != null
                  && live.getStatus().getFreeze() != null;
            });
    return AssignedSnapshots.get(client, qsnap).getStatus().getFreeze();
  }

  private static List<String> eventReasons(KubernetesClient client, String ns) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .map(Event::getReason)
        .toList();
  }

  private static FreezeState freezeStatus(GuestVm guest) {
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      return agent.freezeStatus();
    }
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    cleanup.add(closeable);
    return closeable;
  }
}
