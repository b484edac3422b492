package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.FakeQgaServer;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.bench.FakeAgentFarm;
import io.quiesce.freeze.GuestRef;
import io.quiesce.kube.kubevirt.Firmware;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.libvirt.FakeLibvirtDaemon;
import io.quiesce.libvirt.LibvirtAgent;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The check-to-connect race of a socket path: the helper checks a guest's socket (in its own pod
 * directory, no link), and a compromised launcher, which may write that directory, swaps the socket
 * for a link to another pod's socket between that check and the connect. The swap is made by the
 * opener (failure injection), after the helper pinned the socket and before the client connects;
 * the helper's real locator, clients, engine and window. The connect must reach the guest's own
 * socket, on both channels: the other one gets no connection at all. Without the pin (a connect by
 * path) both tests fail.
 */
@KubeApiTest
class SocketSwapRaceTest {
  private static final String LIBVIRT_IN_POD =
      "volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock";
  private static final UUID FIRMWARE = UUID.fromString("6a1b3c5e-0d2f-5a4b-9c8d-7e6f5a4b3c2d");
  private static final QgaSettings QUICK =
      QgaSettings.defaults()
          .withConnectTimeout(Duration.ofSeconds(2))
          .withSyncTimeout(Duration.ofSeconds(2))
          .withCommandTimeout(Duration.ofSeconds(2));

  private Path root;

  @BeforeEach
  void layOut() throws IOException {
    root = Files.createTempDirectory(Path.of("/tmp"), "qsw");
  }

  @AfterEach
  void cleanUp() throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void aDaemonSocketSwappedForAnotherPodsDaemonBetweenCheckAndConnectIsNotFollowed(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("swap");
    VmScenario vm = withFirmwareUuid(client, Fixtures.runningVm(ns, "db").create(client), FIRMWARE);
    String podA = vm.launcherPods().get(0).getMetadata().getUid();
    String domain = LibvirtAgent.kubevirtDomainName(ns, "db");
    try (FakeLibvirtDaemon own =
            new FakeLibvirtDaemon(Files.createDirectories(root.resolve(podA).resolve("a")));
        FakeLibvirtDaemon other =
            new FakeLibvirtDaemon(
                Files.createDirectories(root.resolve(UUID.randomUUID().toString()).resolve("b")));
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      own.hosting(domain, FIRMWARE);
      other.hosting(domain, UUID.fromString("00000000-0000-4000-8000-0000000000bb"));
      // virtqemud's socket as kubelet lays it out: a link in the pod's emptyDir to a socket in the
      // same pod
      Path inPod = root.resolve(podA).resolve(LIBVIRT_IN_POD);
      Files.createDirectories(inPod.getParent());
      Files.createSymbolicLink(inPod, own.socket());

      AtomicInteger opens = new AtomicInteger();
      AtomicInteger swapAt = new AtomicInteger(Integer.MAX_VALUE);
      Path ownSocket = own.socket().toRealPath();
      LibvirtOpener swappingAfterTheCheck =
          (socket, dom) -> {
            // GuestSockets pinned the socket just before this call; the client connects next
            if (opens.incrementAndGet() == swapAt.get()) {
              swapForLink(ownSocket, other.socket());
            }
            return LibvirtAgent.open(socket, dom, QUICK);
          };
      HelperSettings settings =
          new HelperSettings(
                  Fixtures.DEFAULT_NODE,
                  ns,
                  List.of(root),
                  List.of(root + "/{podUID}/qga.sock"),
                  4,
                  Duration.ofSeconds(30),
                  null)
              .withLibvirt(root, root + "/{podUID}/" + LIBVIRT_IN_POD);
      try (NodeHelper helper =
          NodeHelper.start(
              server.newClient(),
              settings,
              (guest, socket) -> {
                throw new AgentUnavailableException("no qga channel in this test", null);
              },
              swappingAfterTheCheck,
              new SimpleMeterRegistry())) {
        // the next open is the channel's probe (on the guest's own daemon), the one after it the
        // engine's
        swapAt.set(opens.get() + 2);
        QuiescedSnapshot snap =
            AssignedSnapshots.assign(
                client, vm, "snap", QuiesceMode.Required, "5s", false, QuiesceChannel.LIBVIRT);

        FreezeRecord record = awaitThawed(client, snap);

        assertThat(opens.get()).as("the swap happened").isGreaterThanOrEqualTo(swapAt.get());
        assertThat(Files.isSymbolicLink(ownSocket)).as("swapped for a link").isTrue();
        assertThat(other.connections()).as("connections to the other pod's daemon").isZero();
        assertThat(own.connections())
            .as("the probe's and the engine's connections went to the guest's own daemon")
            .isGreaterThanOrEqualTo(2);
        assertThat(record.getMethod()).isEqualTo(FreezeMethod.LIBVIRT);
        // the engine's preflight reached the guest's own FAKE daemon, whose agent answers {}
        assertThat(record.getError()).contains("guest-fsfreeze-status returned {}");
      }
    }
  }

  @Test
  void anAgentSocketSwappedForAnotherPodsAgentBetweenCheckAndConnectIsNotFollowed(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("swapqga");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    String podA = vm.launcherPods().get(0).getMetadata().getUid();
    try (FakeQgaServer own =
            FakeQgaServer.start(
                Files.createDirectories(root.resolve(podA)), FakeAgentFarm.agent());
        FakeQgaServer other =
            FakeQgaServer.start(
                Files.createDirectories(root.resolve(UUID.randomUUID().toString())),
                FakeAgentFarm.agent());
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      AtomicInteger opens = new AtomicInteger();
      AtomicInteger swapAt = new AtomicInteger(Integer.MAX_VALUE);
      BiFunction<GuestRef, Path, GuestAgent> swappingAfterTheCheck =
          (guest, socket) -> {
            // GuestSockets pinned the socket just before this call; the client connects on its
            // first command
            if (opens.incrementAndGet() == swapAt.get()) {
              swapForLink(own.socketPath(), other.socketPath());
            }
            return new QgaClient(socket, QUICK);
          };
      HelperSettings settings =
          new HelperSettings(
              Fixtures.DEFAULT_NODE,
              ns,
              List.of(root),
              List.of(root + "/{podUID}/qga.sock"),
              4,
              Duration.ofSeconds(30),
              null);
      try (NodeHelper helper =
          NodeHelper.start(
              server.newClient(),
              settings,
              swappingAfterTheCheck,
              (socket, domain) -> {
                throw new AgentUnavailableException("no libvirt channel in this test", null);
              },
              new SimpleMeterRegistry())) {
        // the next open is the channel's probe, the one after it the engine's
        swapAt.set(opens.get() + 2);
        QuiescedSnapshot snap =
            AssignedSnapshots.assign(
                client, vm, "snap", QuiesceMode.Required, "5s", false, QuiesceChannel.QGA);

        FreezeRecord record = awaitThawed(client, snap);

        assertThat(opens.get()).as("the swap happened").isGreaterThanOrEqualTo(swapAt.get());
        assertThat(Files.isSymbolicLink(own.socketPath())).as("swapped for a link").isTrue();
        assertThat(other.connections()).as("connections to the other pod's agent").isZero();
        assertThat(own.connections()).as("the probe's and the engine's").isGreaterThanOrEqualTo(2);
        assertThat(record.getError()).as(record.getReason()).isNull();
        assertThat(record.getMethod()).isEqualTo(FreezeMethod.QGA);
        assertThat(record.getFilesystemsFrozen()).isEqualTo(1);
        assertThat(own.scriptFailure()).isNull();
      }
    }
  }

  /** The freeze record once the window ended (thawed, or refused: no end time then). */
  private static FreezeRecord awaitThawed(KubernetesClient client, QuiescedSnapshot snap) {
    await("status.freeze ended")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              FreezeRecord r = AssignedSnapshots.get(client, snap).getStatus().getFreeze();
              return r != null && (r.getEndTime() != null || !"Frozen".equals(r.getReason()));
            });
    return AssignedSnapshots.get(client, snap).getStatus().getFreeze();
  }

  /**
   * What a launcher that may write its pod's directory can do: replace its socket by a link
   * elsewhere.
   */
  private static void swapForLink(Path socket, Path elsewhere) {
    try {
      Files.delete(socket);
      Files.createSymbolicLink(socket, elsewhere);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** virt-controller sets {@code spec.domain.firmware.uuid} on every VM's instance. */
  private static VmScenario withFirmwareUuid(KubernetesClient client, VmScenario vm, UUID uuid) {
    client
        .resources(VirtualMachineInstance.class)
        .inNamespace(vm.namespace())
        .withName("db")
        .edit(
            vmi -> {
              Firmware firmware = new Firmware();
              firmware.setUuid(uuid.toString());
              vmi.getSpec().getDomain().setFirmware(firmware);
              return vmi;
            });
    return vm;
  }
}
