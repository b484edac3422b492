package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.GuestAgent;
import io.quiesce.api.v1alpha1.ChannelAttempt;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.freeze.AgentConnector;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.Reroute;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.libvirt.LibvirtDomain;
import io.quiesce.locate.AgentSocketLocator;
import io.quiesce.locate.PinnedSocket;
import io.quiesce.locate.UnsafePathException;
import io.quiesce.status.Reason;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Finds how to reach a VM's agent on this node: from its VirtualMachineInstance's launcher pod on
 * this node to the libvirt daemon socket of that pod and to the agent socket templates, then {@link
 * ChannelChoice} for the channel asked for, each channel probed before a freeze. The route found is
 * remembered per guest, so the engine's thaw retries and start-up recovery reach the guest the same
 * way, with no API call.
 */
final class GuestSockets implements AgentConnector {
  private final KubernetesClient client;
  private final AgentSocketLocator agentSockets;
  private final AgentSocketLocator libvirtSockets;
  private final String node;
  private final BiFunction<GuestRef, Path, GuestAgent> qgaOpener;
  private final LibvirtOpener libvirtOpener;
  private final Map<GuestRef, AgentRoute> routes = new ConcurrentHashMap<>();
  private volatile Predicate<GuestRef> held = guest -> false;
  private volatile Consumer<AgentRoute> rerouted = route -> {};

  /**
   * @param libvirtSockets where the libvirt daemon sockets of virt-launcher pods are; null when the
   *     libvirt channel is not configured on this helper
   * @param qgaOpener opens an agent connection on an agent socket (the QGA client; fakes in tests)
   * @param libvirtOpener opens an agent connection through a libvirt daemon (the libvirt client;
   *     fakes in tests)
   */
  GuestSockets(
      KubernetesClient client,
      AgentSocketLocator agentSockets,
      AgentSocketLocator libvirtSockets,
      String node,
      BiFunction<GuestRef, Path, GuestAgent> qgaOpener,
      LibvirtOpener libvirtOpener) {
    this.client = client;
    this.agentSockets = agentSockets;
    this.libvirtSockets = libvirtSockets;
    this.node = node;
    this.qgaOpener = qgaOpener;
    this.libvirtOpener = libvirtOpener;
  }

  /**
   * Keeps the route of a guest while {@code held} says the freeze engine holds it (frozen, or on
   * the needs-thaw list), so that its thaws go the way its freeze went even if another lookup finds
   * another way meanwhile. Set once the engine exists (the engine needs this connector first).
   */
  void keepRoutesWhile(Predicate<GuestRef> held) {
    this.held = held;
  }

  /** Told of every route {@link #reroute} replaces (the journal then records the new one). */
  void onRerouted(Consumer<AgentRoute> listener) {
    this.rerouted = listener;
  }

  /** The route the guest is reached by now, or null. */
  AgentRoute route(GuestRef guest) {
    return routes.get(guest);
  }

  /**
   * Sets a guest's route from the freeze journal at start-up: the way its freeze went, with no API
   * call, so that its thaw goes the same way.
   */
  void restore(AgentRoute route) {
    routes.put(route.guest(), route);
  }

  /**
   * How a guest's agent is reached, or why it cannot be.
   *
   * @param attempts the channels tried (probed, or found missing), in order; empty when none was
   */
  record Located(
      GuestRef guest,
      AgentRoute route,
      String reason,
      String problem,
      List<ChannelAttempt> attempts) {
    boolean found() {
      return route != null;
    }
  }

  /**
   * Resolves the VMI named {@code name} (a VM's instance has the VM's name) for a freeze: each
   * channel considered is probed first (see {@link ChannelProbe}), so that the route found reaches
   * an agent that answers. A guest the engine holds keeps its route, unprobed: the engine refuses a
   * second freeze of it anyway, and a probe could compete with the engine's own connection.
   */
  Located locate(String namespace, String name, QuiesceChannel channel) {
    VirtualMachineInstance vmi =
        client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).get();
    GuestRef guest = new GuestRef(namespace, name);
    if (vmi == null) {
      return notFound(guest, channel, "VirtualMachineInstance " + guest + " not found");
    }
    AgentRoute kept = routes.get(guest);
    if (kept != null && held.test(guest)) {
      return new Located(guest, kept, null, null, List.of());
    }
    return locate(vmi, channel, (method, socket) -> probe(vmi, method, socket));
  }

  /**
   * Resolves an instance without probing (the start-up inventory: a guest is listed when some
   * channel to it is found; reaching it is recovery's business).
   */
  Located locate(VirtualMachineInstance vmi, QuiesceChannel channel) {
    return locate(vmi, channel, (method, socket) -> ChannelChoice.ProbeResult.ready("not probed"));
  }

  /**
   * Resolves an instance: its launcher pod on this node, the sockets there, then the channel rule.
   */
  private Located locate(
      VirtualMachineInstance vmi, QuiesceChannel channel, ChannelChoice.Probe probe) {
    Located fresh = resolve(vmi, channel, probe);
    if (!fresh.found()) {
      return fresh;
    }
    // a held guest keeps its route; the engine then refuses the new freeze until it lets go
    AgentRoute route =
        routes.compute(
            fresh.guest(), (g, old) -> old != null && held.test(g) ? old : fresh.route());
    return new Located(fresh.guest(), route, null, null, fresh.attempts());
  }

  /**
   * After a thaw attempt failed: looks the VMI up again. Gone, or no launcher pod on this node any
   * more (it migrated while frozen): {@link Reroute.Outcome#LEFT_NODE}. Another socket on this node
   * for the channel the freeze used (its pod changed): the route is replaced. The API being
   * unreachable changes nothing.
   */
  @Override
  public Reroute reroute(GuestRef guest) {
    AgentRoute current = routes.get(guest);
    if (current == null) {
      return Reroute.UNCHANGED;
    }
    VirtualMachineInstance vmi;
    try {
      vmi =
          client
              .resources(VirtualMachineInstance.class)
              .inNamespace(guest.namespace())
              .withName(guest.name())
              .get();
    } catch (RuntimeException e) {
      return new Reroute(
          Reroute.Outcome.UNCHANGED, "VirtualMachineInstance not read: " + e.getMessage());
    }
    if (vmi == null) {
      return new Reroute(
          Reroute.Outcome.LEFT_NODE, "VirtualMachineInstance " + guest + " no longer exists");
    }
    if (podOnThisNode(vmi).isEmpty()) {
      String now = vmi.getStatus() == null ? null : vmi.getStatus().getNodeName();
      return new Reroute(
          Reroute.Outcome.LEFT_NODE,
          "VirtualMachineInstance "
              + guest
              + " has no launcher pod on node "
              + node
              + " any more (now on node "
              + now
              + ")");
    }
    // the same channel the freeze used, unprobed (a frozen agent answers a thaw, not always a
    // ping):
    // never thaw through another agent than the one that froze
    Located fresh =
        resolve(
            vmi,
            current.method() == FreezeMethod.LIBVIRT ? QuiesceChannel.LIBVIRT : QuiesceChannel.QGA,
            (method, socket) -> ChannelChoice.ProbeResult.ready("not probed"));
    if (!fresh.found() || fresh.route().equals(current)) {
      return new Reroute(Reroute.Outcome.UNCHANGED, fresh.found() ? "same route" : fresh.problem());
    }
    if (!routes.replace(guest, current, fresh.route())) {
      return Reroute.UNCHANGED;
    }
    rerouted.accept(fresh.route());
    return new Reroute(Reroute.Outcome.CHANGED, fresh.route().toString());
  }

  private Optional<String> podOnThisNode(VirtualMachineInstance vmi) {
    var status = vmi.getStatus();
    return status == null || status.getActivePods() == null
        ? Optional.empty()
        : status.getActivePods().entrySet().stream()
            .filter(e -> node.equals(e.getValue()))
            .map(Map.Entry::getKey)
            .sorted()
            .findFirst();
  }

  /** {@link #locate} without remembering the route. */
  private Located resolve(
      VirtualMachineInstance vmi, QuiesceChannel channel, ChannelChoice.Probe probe) {
    GuestRef guest = new GuestRef(vmi.getMetadata().getNamespace(), vmi.getMetadata().getName());
    Optional<String> podUid = podOnThisNode(vmi);
    if (podUid.isEmpty()) {
      return notFound(
          guest,
          channel,
          "VirtualMachineInstance " + guest + " has no launcher pod on node " + node);
    }
    AgentSocketLocator.Guest where =
        new AgentSocketLocator.Guest(guest.namespace(), guest.name(), podUid.get());
    Lookup libvirt =
        libvirtSockets == null
            ? new Lookup(null, "the libvirt channel is not configured on this node helper")
            : find(libvirtSockets, where, "libvirt socket");
    Lookup agent = find(agentSockets, where, "agent socket");
    ChannelChoice.Choice choice =
        ChannelChoice.choose(
            channel,
            new ChannelChoice.Sockets(
                libvirt.socket(), libvirt.problem(), agent.socket(), agent.problem()),
            probe);
    if (!choice.found()) {
      return new Located(guest, null, choice.reason(), choice.problem(), choice.attempts());
    }
    try {
      return new Located(
          guest, routeOf(vmi, choice.method(), choice.socket()), null, null, choice.attempts());
    } catch (IllegalArgumentException e) {
      // e.g. a firmware UUID that is no UUID: no domain can be shown to be this guest's
      return new Located(
          guest, null, Reason.CHANNEL_UNUSABLE.wire(), e.getMessage(), choice.attempts());
    }
  }

  @Override
  public GuestAgent open(GuestRef guest) {
    AgentRoute route = routes.get(guest);
    if (route == null) {
      throw new AgentUnavailableException(
          "no way to reach the agent of " + guest + " is known", null);
    }
    return open(route);
  }

  /**
   * Opens the route's client on the socket pinned by its locator: every connect the client makes,
   * now or after a reconnect, reaches the inode checked here (see {@link PinnedSocket}); the pin is
   * let go when the client is closed.
   */
  private GuestAgent open(AgentRoute route) {
    boolean libvirt = route.method() == FreezeMethod.LIBVIRT;
    AgentSocketLocator locator = libvirt ? libvirtSockets : agentSockets;
    if (locator == null) {
      throw new AgentUnavailableException("the libvirt channel is not configured here", null);
    }
    PinnedSocket pinned;
    try {
      pinned = locator.pin(route.socket());
    } catch (UnsafePathException e) {
      throw new AgentUnavailableException(e.getMessage(), null);
    }
    try {
      GuestAgent agent =
          libvirt
              ? libvirtOpener.open(pinned.address(), route.domain())
              : qgaOpener.apply(route.guest(), pinned.address());
      return new PinnedAgent(agent, pinned);
    } catch (RuntimeException e) {
      pinned.close();
      throw e;
    }
  }

  /** Opens the channel as the engine would, pings the agent, closes: nothing is frozen. */
  private ChannelChoice.ProbeResult probe(
      VirtualMachineInstance vmi, FreezeMethod method, Path socket) {
    return ChannelProbe.ping(method, () -> open(routeOf(vmi, method, socket)));
  }

  /**
   * The route to an instance's agent by {@code method} at {@code socket}. A libvirt route names the
   * domain KubeVirt makes for the instance, with its firmware UUID when it has one: the libvirt
   * client then refuses a daemon whose domain is not that one (see {@link LibvirtDomain}).
   */
  private static AgentRoute routeOf(VirtualMachineInstance vmi, FreezeMethod method, Path socket) {
    GuestRef guest = new GuestRef(vmi.getMetadata().getNamespace(), vmi.getMetadata().getName());
    return new AgentRoute(
        guest,
        method,
        socket,
        method == FreezeMethod.LIBVIRT
            ? LibvirtDomain.kubevirt(guest.namespace(), guest.name(), firmwareUuid(vmi))
            : null);
  }

  private static String firmwareUuid(VirtualMachineInstance vmi) {
    var spec = vmi.getSpec();
    return spec == null || spec.getDomain() == null || spec.getDomain().getFirmware() == null
        ? null
        : spec.getDomain().getFirmware().getUuid();
  }

  private record Lookup(Path socket, String problem) {}

  private static Lookup find(
      AgentSocketLocator locator, AgentSocketLocator.Guest where, String what) {
    try {
      Optional<Path> socket = locator.locate(where);
      if (socket.isPresent()) {
        return new Lookup(socket.get(), null);
      }
      return new Lookup(
          null,
          "no "
              + what
              + " of "
              + where.namespace()
              + "/"
              + where.name()
              + " (pod "
              + where.podUID()
              + ") at "
              + locator.candidates(where));
    } catch (UnsafePathException e) {
      return new Lookup(null, e.getMessage());
    }
  }

  private static Located notFound(GuestRef guest, QuiesceChannel channel, String problem) {
    // without a pod on this node no channel can be found; auto leaves the guest to the operator
    ChannelChoice.Choice choice =
        ChannelChoice.choose(
            channel,
            new ChannelChoice.Sockets(null, problem, null, problem),
            (method, socket) -> {
              throw new IllegalStateException("no socket to probe");
            });
    return new Located(
        guest, null, choice.reason(), "channel " + channel + ": " + problem, choice.attempts());
  }
}
