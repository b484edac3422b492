package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.freeze.FakeAgentConnector;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.journal.FreezeJournal;
import io.quiesce.journal.JournalEntry;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.locate.PinnedAddresses;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotBehaviour;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node helper's freeze journal end to end, with FAKE agents behind real unix sockets (failure
 * injection: dead sockets, a second agent) and the in-JVM API server: start-up thaws the journal's
 * guests first with no API, through the recorded route; freezes of others are left alone; a guest
 * that migrates while frozen is not chased through its dead socket.
 */
@KubeApiTest
class JournalRecoveryTest {
  private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(20);
  private static final String NEW_POD_UID = "9c4b0e3a-5f1d-4c2e-8a7b-2d6f0e1c3b4a";

  @TempDir Path journalDir;

  private final GuestSocketDir sockets = GuestSocketDir.create();
  private final FakeAgentConnector agents = new FakeAgentConnector();

  /** Every socket a QGA connection was opened on, in order. */
  private final List<Path> qgaOpened = new CopyOnWriteArrayList<>();

  private final List<Path> deadSockets = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    sockets.close();
  }

  @Test
  void withTheApiServerDownTheJournalsGuestIsThawedAndTheHelperKeepsTryingTheApi()
      throws Exception {
    GuestRef guest = new GuestRef("prod", "db");
    Path socket = bindSocket(sockets.root().resolve("pod-uid-1").resolve(GuestSocketDir.SOCKET));
    FakeGuestAgent agent = agents.agent(guest).frozenAlready();
    FreezeJournal.open(journalDir)
        .record(
            new JournalEntry(
                guest,
                FreezeMethod.QGA,
                socket,
                null,
                "prod/db-snap",
                Instant.now().plusSeconds(20)));
    KubernetesClient noApi = closeLater(unreachableApi());

    NodeHelper helper =
        closeLater(NodeHelper.create(noApi, settings(), this::openQga, new SimpleMeterRegistry()));
    assertThat(helper.recoverFromJournal().guests())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.guest()).isEqualTo(guest);
              assertThat(g.action()).isEqualTo(RecoveryAction.THAWED);
            });
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(qgaOpened).as("thawed through the recorded socket").containsOnly(socket);
    assertThat(FreezeJournal.open(journalDir).load().entries())
        .as("forgotten once thawed")
        .isEmpty();

    // the API part does not end the helper: it is retried with backoff until the helper is closed
    CompletableFuture<Boolean> serving = CompletableFuture.supplyAsync(helper::startServing);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> !serving.isDone() && !helper.ready());
    helper.close();
    assertThat(serving.get(10, TimeUnit.SECONDS)).as("stopped by close, never serving").isFalse();
  }

  @Test
  void recoveryThawsThroughTheRecordedRouteNotTheOneAutoWouldPick(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("route");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    GuestRef guest = new GuestRef(ns, "db");
    String podUid = vm.launcherPods().get(0).getMetadata().getUid();
    Path agentSocket = bindSocket(sockets.expectedSocket(vm));
    // the same pod also has a libvirt daemon socket: auto would pick libvirt
    Path libvirtRoot = Files.createTempDirectory(Path.of("/tmp"), "qlv");
    cleanup.add(() -> deleteTree(libvirtRoot));
    bindSocket(libvirtRoot.resolve(podUid).resolve("virtqemud-sock"));
    FakeGuestAgent frozenViaQga = agents.agent(guest).frozenAlready();
    // another agent, reached through libvirt, which says the guest is thawed
    FakeGuestAgent otherAgent = new FakeGuestAgent();
    List<String> libvirtOpened = new CopyOnWriteArrayList<>();
    FreezeJournal.open(journalDir)
        .record(
            new JournalEntry(
                guest, FreezeMethod.QGA, agentSocket, null, null, Instant.now().plusSeconds(20)));

    NodeHelper helper =
        closeLater(
            NodeHelper.create(
                server.newClient(),
                settings().withLibvirt(libvirtRoot, libvirtRoot + "/{podUID}/virtqemud-sock"),
                this::openQga,
                (daemon, domain) -> {
                  libvirtOpened.add(domain.name());
                  return otherAgent.connect();
                },
                new SimpleMeterRegistry()));
    assertThat(helper.recoverFromJournal().guests())
        .singleElement()
        .satisfies(g -> assertThat(g.action()).isEqualTo(RecoveryAction.THAWED));

    assertThat(frozenViaQga.state()).isEqualTo(FreezeState.THAWED);
    assertThat(qgaOpened).containsOnly(agentSocket);
    assertThat(libvirtOpened).as("the guest was not asked through another channel").isEmpty();
  }

  @Test
  void aGuestFrozenBySomeoneElseIsReportedAndLeftFrozen(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("foreign");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    bindSocket(sockets.expectedSocket(vm));
    // e.g. a KubeVirt VirtualMachineSnapshot's freeze: not in this helper's journal
    FakeGuestAgent foreign = agents.agent(new GuestRef(ns, "db")).frozenAlready();

    NodeHelper helper =
        closeLater(
            NodeHelper.start(
                server.newClient(), settings(), this::openQga, new SimpleMeterRegistry()));

    assertThat(helper.recovery().guests())
        .filteredOn(g -> g.guest().equals(new GuestRef(ns, "db")))
        .extracting(g -> g.action())
        .containsExactly(RecoveryAction.FROZEN_NOT_OURS);
    assertThat(foreign.state()).isEqualTo(FreezeState.FROZEN);
    assertThat(foreign.count(Command.THAW)).isZero();
  }

  @Test
  void aGuestThatMigratesToAnotherNodeWhileFrozenIsHandedOffNotChasedThroughItsDeadSocket(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("migrated");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    Path oldSocket = bindSocket(sockets.expectedSocket(vm));
    FakeGuestAgent agent = agents.agent(new GuestRef(ns, "db"));
    QuiescedSnapshot qsnap = neverCutSnapshot(server, client, vm, "5s");
    NodeHelper helper =
        closeLater(
            NodeHelper.start(
                server.newClient(), settings(), this::openQga, new SimpleMeterRegistry()));
    await("frozen")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !helper.engine().guestsFrozen().isEmpty());
    assertThat(FreezeJournal.open(journalDir).load().entries())
        .singleElement()
        .satisfies(e -> assertThat(e.socket()).isEqualTo(oldSocket));

    // live migration: the source pod (and its socket, and the held connection) are gone
    migrate(client, ns, "db", Map.of(NEW_POD_UID, "node02"), "node02");
    deadSockets.add(oldSocket);
    agent.script(Command.THAW, Step.fail("AgentTimeout"));

    FreezeRecord record = awaitRecord(client, qsnap);
    assertThat(record.getReason()).isEqualTo("ThawNotConfirmed");
    assertThat(record.getError()).contains("node02").contains("left to the operator");
    assertThat(helper.engine().guestsNeedingThaw()).isEmpty();
    assertThat(FreezeJournal.open(journalDir).load().entries())
        .as("nothing left for this node to thaw")
        .isEmpty();
    // a thaw chain already under way may still try it once; after that nobody does, for good
    AtomicLong seen = new AtomicLong(-1);
    await("no more attempts on the dead socket")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(8))
        .until(
            () -> {
              long opened = qgaOpened.stream().filter(oldSocket::equals).count();
              return seen.getAndSet(opened) == opened;
            });
  }

  @Test
  void aGuestWhosePodOnThisNodeChangedWhileFrozenIsThawedThroughItsNewSocket(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("newpod");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    Path oldSocket = bindSocket(sockets.expectedSocket(vm));
    Path newSocket = bindSocket(sockets.root().resolve(NEW_POD_UID).resolve(GuestSocketDir.SOCKET));
    FakeGuestAgent agent = agents.agent(new GuestRef(ns, "db"));
    QuiescedSnapshot qsnap = neverCutSnapshot(server, client, vm, "5s");
    NodeHelper helper =
        closeLater(
            NodeHelper.start(
                server.newClient(), settings(), this::openQga, new SimpleMeterRegistry()));
    await("frozen")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !helper.engine().guestsFrozen().isEmpty());

    migrate(client, ns, "db", Map.of(NEW_POD_UID, Fixtures.DEFAULT_NODE), Fixtures.DEFAULT_NODE);
    deadSockets.add(oldSocket);
    agent.script(Command.THAW, Step.fail("AgentTimeout"));

    FreezeRecord record = awaitRecord(client, qsnap);
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Watchdog);
    assertThat(record.getReason()).isEqualTo("QuiesceTimeout");
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(qgaOpened.get(qgaOpened.size() - 1)).isEqualTo(newSocket);
    assertThat(FreezeJournal.open(journalDir).load().entries()).isEmpty();
  }

  private QuiescedSnapshot neverCutSnapshot(
      KubeApiServer server, KubernetesClient client, VmScenario vm, String timeout) {
    FakeSnapshotter csi = closeLater(FakeSnapshotter.start(server.newClient()));
    csi.onPvc(vm.namespace(), vm.claimNames().get(0), SnapshotBehaviour.neverCut());
    return AssignedSnapshots.assignWithSlotIn(
        client, vm, "db-snap", QuiesceMode.Required, timeout, QuiesceChannel.QGA, "default");
  }

  /** What virt-controller writes when the VMI's launcher pods change. */
  private static void migrate(
      KubernetesClient client,
      String ns,
      String name,
      Map<String, String> activePods,
      String node) {
    client
        .resources(VirtualMachineInstance.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            vmi -> {
              vmi.getStatus().setActivePods(new java.util.HashMap<>(activePods));
              vmi.getStatus().setNodeName(node);
              return vmi;
            });
  }

  private GuestAgent openQga(GuestRef guest, Path address) {
    Path socket = PinnedAddresses.socketBehind(address);
    qgaOpened.add(socket);
    if (deadSockets.contains(socket)) {
      throw new AgentUnavailableException("connect to " + socket + ": connection refused", null);
    }
    return agents.open(guest);
  }

  private HelperSettings settings() {
    return new HelperSettings(
            Fixtures.DEFAULT_NODE,
            "default",
            List.of(sockets.root()),
            List.of(sockets.template()),
            4,
            Duration.ofSeconds(30),
            null)
        .withJournal(journalDir);
  }

  private Path bindSocket(Path path) throws IOException {
    Files.createDirectories(path.getParent());
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    channel.bind(UnixDomainSocketAddress.of(path));
    cleanup.add(channel);
    return path;
  }

  /** A client of an API server that is not there: nothing listens on its port. */
  private static KubernetesClient unreachableApi() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    return new KubernetesClientBuilder()
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + port)
                .withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(500)
                .withRequestTimeout(500)
                .build())
        .build();
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

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    cleanup.add(closeable);
    return closeable;
  }
}
