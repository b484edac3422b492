package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.freeze.GuestRef;
import io.quiesce.locate.AgentSocketLocator;
import io.quiesce.locate.PinnedAddresses;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * From a VMI's launcher pod on this node to the way its agent is reached, laid out as on a KubeVirt
 * node (kubelet's pod directory with virtqemud's socket, an agent socket), with fake openers that
 * record what they were asked to open.
 */
@KubeApiTest
class GuestSocketsTest {
  private static final String LIBVIRT_IN_POD =
      "volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock";

  private Path root;
  private final List<ServerSocketChannel> listening = new ArrayList<>();
  private final List<String> opened = new ArrayList<>();

  @BeforeEach
  void layOut() throws IOException {
    root = Files.createTempDirectory(Path.of("/tmp"), "qgs");
  }

  @AfterEach
  void cleanUp() throws IOException {
    for (ServerSocketChannel s : listening) {
      s.close();
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void autoTakesLibvirtOverAnAgentSocketAndRemembersTheRouteForThaws(
      KubeApiServer server, KubernetesClient client) throws IOException {
    VmScenario vm = Fixtures.runningVm(server.createNamespace("gs"), "db").create(client);
    Path daemon = libvirtSocketOf(vm);
    agentSocketOf(vm);
    GuestSockets sockets = sockets(client, true);

    GuestSockets.Located located = sockets.locate(vm.namespace(), "db", QuiesceChannel.AUTO);

    assertThat(located.found()).isTrue();
    assertThat(located.route().method()).isEqualTo(FreezeMethod.LIBVIRT);
    assertThat(located.route().domain().name()).isEqualTo(vm.namespace() + "_db");
    assertThat(located.route().socket()).isEqualTo(daemon.toRealPath());
    // every later connection (thaw retries, the watchdog) takes the same route without an API call
    GuestRef guest = new GuestRef(vm.namespace(), "db");
    sockets.open(guest).close();
    sockets.open(guest).close();
    // the first is the probe's, before the route was taken
    assertThat(opened)
        .containsExactly(
            "libvirt " + vm.namespace() + "_db",
            "libvirt " + vm.namespace() + "_db",
            "libvirt " + vm.namespace() + "_db");
    assertThat(located.attempts())
        .extracting(a -> a.getChannel() + " " + a.getReason())
        .containsExactly("LIBVIRT Ready");
  }

  @Test
  void aGuestTheEngineHoldsKeepsTheRouteItsFreezeTook(KubeApiServer server, KubernetesClient client)
      throws IOException {
    VmScenario vm = Fixtures.runningVm(server.createNamespace("gs"), "db").create(client);
    libvirtSocketOf(vm);
    agentSocketOf(vm);
    GuestSockets sockets = sockets(client, true);
    GuestRef guest = new GuestRef(vm.namespace(), "db");
    AtomicBoolean frozen = new AtomicBoolean();
    sockets.keepRoutesWhile(g -> g.equals(guest) && frozen.get());
    sockets.locate(vm.namespace(), "db", QuiesceChannel.AUTO);

    frozen.set(true);
    GuestSockets.Located meanwhile = sockets.locate(vm.namespace(), "db", QuiesceChannel.QGA);
    sockets.open(guest).close();
    frozen.set(false);
    GuestSockets.Located after = sockets.locate(vm.namespace(), "db", QuiesceChannel.QGA);

    assertThat(meanwhile.route().method()).isEqualTo(FreezeMethod.LIBVIRT);
    // the first probe, then the engine's connection; a held guest is not probed (its probe could
    // compete with the engine's connection), the QGA lookup after it is
    Path agent = root.resolve(podUid(vm)).resolve("qga.sock").toRealPath();
    assertThat(opened)
        .containsExactly(
            "libvirt " + vm.namespace() + "_db",
            "libvirt " + vm.namespace() + "_db",
            "qga " + agent);
    assertThat(meanwhile.attempts()).isEmpty();
    assertThat(after.route().method()).isEqualTo(FreezeMethod.QGA);
  }

  @Test
  void explicitQgaTakesTheAgentSocketEvenBesideLibvirt(
      KubeApiServer server, KubernetesClient client) throws IOException {
    VmScenario vm = Fixtures.runningVm(server.createNamespace("gs"), "db").create(client);
    libvirtSocketOf(vm);
    Path agent = agentSocketOf(vm);
    GuestSockets sockets = sockets(client, true);

    GuestSockets.Located located = sockets.locate(vm.namespace(), "db", QuiesceChannel.QGA);
    sockets.open(located.guest()).close();

    assertThat(located.route().method()).isEqualTo(FreezeMethod.QGA);
    assertThat(located.route().socket()).isEqualTo(agent.toRealPath());
    // the probe's connection, then the engine's: libvirt is never tried for an explicit qga
    assertThat(opened).containsExactly("qga " + agent.toRealPath(), "qga " + agent.toRealPath());
  }

  @Test
  void withTheLibvirtChannelOffAutoUsesTheAgentSocketAndExplicitLibvirtSaysWhy(
      KubeApiServer server, KubernetesClient client) throws IOException {
    VmScenario vm = Fixtures.runningVm(server.createNamespace("gs"), "db").create(client);
    libvirtSocketOf(vm);
    agentSocketOf(vm);
    GuestSockets sockets = sockets(client, false);

    assertThat(sockets.locate(vm.namespace(), "db", QuiesceChannel.AUTO).route().method())
        .isEqualTo(FreezeMethod.QGA);
    GuestSockets.Located libvirt = sockets.locate(vm.namespace(), "db", QuiesceChannel.LIBVIRT);
    assertThat(libvirt.found()).isFalse();
    assertThat(libvirt.reason()).isEqualTo("LibvirtSocketNotFound");
    assertThat(libvirt.problem()).contains("not configured");
  }

  @Test
  void noPodOnThisNodeOrNoSocketsGiveTheChannelsReason(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("gs");
    VmScenario elsewhere = Fixtures.runningVm(ns, "moved").onNode("other-node").create(client);
    Fixtures.runningVm(ns, "bare").create(client);
    GuestSockets sockets = sockets(client, true);

    GuestSockets.Located moved = sockets.locate(ns, "moved", QuiesceChannel.AUTO);
    GuestSockets.Located bare = sockets.locate(ns, "bare", QuiesceChannel.AUTO);
    GuestSockets.Located missing = sockets.locate(ns, "missing", QuiesceChannel.LIBVIRT);

    assertThat(moved.reason()).isEqualTo("NoAgentChannel");
    assertThat(moved.problem()).contains("no launcher pod on node " + Fixtures.DEFAULT_NODE);
    assertThat(bare.reason()).isEqualTo("NoAgentChannel");
    assertThat(bare.problem()).contains("virtqemud-sock").contains("qga.sock");
    assertThat(missing.reason()).isEqualTo("LibvirtSocketNotFound");
    assertThat(missing.problem()).contains("not found");
    assertThatThrownBy(() -> sockets.open(new GuestRef(ns, "bare")))
        .isInstanceOf(AgentUnavailableException.class);
    assertThat(elsewhere.vmi()).isPresent();
  }

  private GuestSockets sockets(KubernetesClient client, boolean libvirtOn) {
    AgentSocketLocator agents =
        new AgentSocketLocator(List.of(root + "/{podUID}/qga.sock"), List.of(root));
    AgentSocketLocator libvirt =
        libvirtOn
            ? new AgentSocketLocator(
                List.of(root + "/{podUID}/" + LIBVIRT_IN_POD),
                List.of(root),
                AgentSocketLocator.MAX_LINKED_SOCKET_PATH)
            : null;
    return new GuestSockets(
        client,
        agents,
        libvirt,
        Fixtures.DEFAULT_NODE,
        (guest, socket) -> {
          opened.add("qga " + PinnedAddresses.socketBehind(socket));
          return new FakeGuestAgent().connect();
        },
        (socket, domain) -> {
          opened.add("libvirt " + domain);
          return new FakeGuestAgent().connect();
        });
  }

  /**
   * virtqemud's socket in the pod's emptyDir: a link (the real path is too long to bind) to a
   * socket in the same pod's directory (a link out of it is refused).
   */
  private Path libvirtSocketOf(VmScenario vm) throws IOException {
    Path where = root.resolve(podUid(vm)).resolve(LIBVIRT_IN_POD);
    Files.createDirectories(where.getParent());
    Files.createSymbolicLink(where, listen(root.resolve(podUid(vm)).resolve("vq")));
    return where;
  }

  private Path agentSocketOf(VmScenario vm) throws IOException {
    Path where = root.resolve(podUid(vm)).resolve("qga.sock");
    Files.createDirectories(where.getParent());
    return listen(where);
  }

  private Path listen(Path path) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    listening.add(server);
    return path;
  }

  private static String podUid(VmScenario vm) {
    return vm.launcherPods().get(0).getMetadata().getUid();
  }
}
