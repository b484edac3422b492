package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.GuestAgent;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.freeze.AgentConnector;
import io.quiesce.freeze.GuestRef;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.libvirt.LibvirtAgent;
import io.quiesce.locate.AgentSocketLocator;
import io.quiesce.locate.UnsafePathException;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Finds how to reach a VM's agent on this node: from its VirtualMachineInstance's launcher pod on
 * this node to the libvirt daemon socket of that pod and to the agent socket templates, then
 * {@link ChannelChoice} for the channel asked for. The route found is remembered per guest, so the
 * engine's thaw retries and start-up recovery reach the guest the same way, with no API call.
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

    /**
     * @param libvirtSockets where the libvirt daemon sockets of virt-launcher pods are; null when the
     *                       libvirt channel is not configured on this helper
     * @param qgaOpener      opens an agent connection on an agent socket (the QGA client; fakes in tests)
     * @param libvirtOpener  opens an agent connection through a libvirt daemon (the libvirt client; fakes in tests)
     */
    GuestSockets(KubernetesClient client, AgentSocketLocator agentSockets, AgentSocketLocator libvirtSockets,
                 String node, BiFunction<GuestRef, Path, GuestAgent> qgaOpener, LibvirtOpener libvirtOpener) {
        this.client = client;
        this.agentSockets = agentSockets;
        this.libvirtSockets = libvirtSockets;
        this.node = node;
        this.qgaOpener = qgaOpener;
        this.libvirtOpener = libvirtOpener;
    }

    /**
     * Keeps the route of a guest while {@code held} says the freeze engine holds it (frozen, or on the
     * needs-thaw list), so that its thaws go the way its freeze went even if another lookup finds
     * another way meanwhile. Set once the engine exists (the engine needs this connector first).
     */
    void keepRoutesWhile(Predicate<GuestRef> held) {
        this.held = held;
    }

    /** How a guest's agent is reached, or why it cannot be. */
    record Located(GuestRef guest, AgentRoute route, String reason, String problem) {
        boolean found() {
            return route != null;
        }
    }

    /** Resolves the VMI named {@code name} (a VM's instance has the VM's name). */
    Located locate(String namespace, String name, QuiesceChannel channel) {
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(namespace)
                .withName(name).get();
        GuestRef guest = new GuestRef(namespace, name);
        if (vmi == null) {
            return notFound(guest, channel, "VirtualMachineInstance " + guest + " not found");
        }
        return locate(vmi, channel);
    }

    /** Resolves an instance: its launcher pod on this node, the sockets there, then the channel rule. */
    Located locate(VirtualMachineInstance vmi, QuiesceChannel channel) {
        GuestRef guest = new GuestRef(vmi.getMetadata().getNamespace(), vmi.getMetadata().getName());
        var status = vmi.getStatus();
        Optional<String> podUid = status == null || status.getActivePods() == null ? Optional.empty()
                : status.getActivePods().entrySet().stream().filter(e -> node.equals(e.getValue()))
                        .map(Map.Entry::getKey).sorted().findFirst();
        if (podUid.isEmpty()) {
            return notFound(guest, channel, "VirtualMachineInstance " + guest + " has no launcher pod on node " + node);
        }
        AgentSocketLocator.Guest where = new AgentSocketLocator.Guest(guest.namespace(), guest.name(), podUid.get());
        Lookup libvirt = libvirtSockets == null
                ? new Lookup(null, "the libvirt channel is not configured on this node helper")
                : find(libvirtSockets, where, "libvirt socket");
        Lookup agent = find(agentSockets, where, "agent socket");
        ChannelChoice.Choice choice = ChannelChoice.choose(channel,
                new ChannelChoice.Sockets(libvirt.socket(), libvirt.problem(), agent.socket(), agent.problem()));
        if (!choice.found()) {
            return new Located(guest, null, choice.reason(), choice.problem());
        }
        AgentRoute found = new AgentRoute(guest, choice.method(), choice.socket(),
                choice.method() == FreezeMethod.LIBVIRT ? LibvirtAgent.kubevirtDomainName(guest.namespace(), guest.name())
                        : null);
        // a held guest keeps its route; the engine then refuses the new freeze until it lets go
        AgentRoute route = routes.compute(guest, (g, old) -> old != null && held.test(g) ? old : found);
        return new Located(guest, route, null, null);
    }

    @Override
    public GuestAgent open(GuestRef guest) {
        AgentRoute route = routes.get(guest);
        if (route == null) {
            throw new AgentUnavailableException("no way to reach the agent of " + guest + " is known", null);
        }
        try {
            AgentSocketLocator.recheck(route.socket());
        } catch (UnsafePathException e) {
            throw new AgentUnavailableException(e.getMessage(), e);
        }
        return route.method() == FreezeMethod.LIBVIRT ? libvirtOpener.open(route.socket(), route.domain())
                : qgaOpener.apply(guest, route.socket());
    }

    private record Lookup(Path socket, String problem) {
    }

    private static Lookup find(AgentSocketLocator locator, AgentSocketLocator.Guest where, String what) {
        try {
            Optional<Path> socket = locator.locate(where);
            if (socket.isPresent()) {
                return new Lookup(socket.get(), null);
            }
            return new Lookup(null, "no " + what + " of " + where.namespace() + "/" + where.name() + " (pod "
                    + where.podUID() + ") at " + locator.candidates(where));
        } catch (UnsafePathException e) {
            return new Lookup(null, e.getMessage());
        }
    }

    private static Located notFound(GuestRef guest, QuiesceChannel channel, String problem) {
        // without a pod on this node no channel can be found; auto leaves the guest to the operator
        ChannelChoice.Choice choice = ChannelChoice.choose(channel,
                new ChannelChoice.Sockets(null, problem, null, problem));
        return new Located(guest, null, choice.reason(), "channel " + channel + ": " + problem);
    }
}
