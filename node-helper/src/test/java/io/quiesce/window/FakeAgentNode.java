package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.freeze.FakeAgentConnector;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.freeze.GuestRef;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A node whose VMs have FAKE guest agents (the engine's in-memory {@link FakeGuestAgent}) behind
 * real unix sockets: each VM's launcher pod gets a bound socket under a KubeVirt-like root, so that
 * the helper's real locator finds it; connections go to the fake of that guest.
 */
final class FakeAgentNode implements AutoCloseable {
  private final GuestSocketDir sockets = GuestSocketDir.create();
  private final FakeAgentConnector agents = new FakeAgentConnector();
  private final List<ServerSocketChannel> listeners = new ArrayList<>();

  /** Creates a running VM on {@link Fixtures#DEFAULT_NODE} with its agent socket. */
  VmScenario vm(KubernetesClient client, String namespace, String name) {
    VmScenario vm = Fixtures.runningVm(namespace, name).create(client);
    Path path = sockets.expectedSocket(vm);
    try {
      Files.createDirectories(path.getParent());
      ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      channel.bind(UnixDomainSocketAddress.of(path));
      listeners.add(channel);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return vm;
  }

  FakeGuestAgent agent(String namespace, String name) {
    return agents.agent(new GuestRef(namespace, name));
  }

  HelperSettings settings(String leaseNamespace, int maxFreezes, Duration maxTimeout) {
    return new HelperSettings(
        Fixtures.DEFAULT_NODE,
        leaseNamespace,
        List.of(sockets.root()),
        List.of(sockets.template()),
        maxFreezes,
        maxTimeout,
        null);
  }

  NodeHelper start(KubernetesClient client, HelperSettings settings) {
    return NodeHelper.start(
        client, settings, (guest, socket) -> agents.open(guest), new SimpleMeterRegistry());
  }

  @Override
  public void close() throws IOException {
    for (ServerSocketChannel listener : listeners) {
      listener.close();
    }
    sockets.close();
  }
}
