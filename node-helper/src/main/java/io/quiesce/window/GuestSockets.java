package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.GuestAgent;
import io.quiesce.freeze.AgentConnector;
import io.quiesce.freeze.GuestRef;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.locate.AgentSocketLocator;
import io.quiesce.locate.UnsafePathException;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Finds the agent socket of a VM on this node (its VirtualMachineInstance's launcher pod on this
 * node, then the configured templates) and opens connections to it for the freeze engine. Paths are
 * remembered once found, so that the engine's thaw retries need no API call.
 */
final class GuestSockets implements AgentConnector {
    private final KubernetesClient client;
    private final AgentSocketLocator locator;
    private final String node;
    private final BiFunction<GuestRef, Path, GuestAgent> opener;
    private final Map<GuestRef, Path> found = new ConcurrentHashMap<>();

    /**
     * @param opener opens an agent connection on a socket (the QGA client; fakes in tests)
     */
    GuestSockets(KubernetesClient client, AgentSocketLocator locator, String node,
                 BiFunction<GuestRef, Path, GuestAgent> opener) {
        this.client = client;
        this.locator = locator;
        this.node = node;
        this.opener = opener;
    }

    /** Where a guest's agent listens, or why it cannot be found. */
    record Located(GuestRef guest, Path socket, String problem) {
        boolean found() {
            return socket != null;
        }
    }

    /** Resolves the VMI named {@code name} (a VM's instance has the VM's name). */
    Located locate(String namespace, String name) {
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(namespace)
                .withName(name).get();
        GuestRef guest = new GuestRef(namespace, name);
        if (vmi == null) {
            return new Located(guest, null, "VirtualMachineInstance " + guest + " not found");
        }
        return locate(vmi);
    }

    /** Resolves an instance: its launcher pod on this node, then the socket templates. */
    Located locate(VirtualMachineInstance vmi) {
        GuestRef guest = new GuestRef(vmi.getMetadata().getNamespace(), vmi.getMetadata().getName());
        var status = vmi.getStatus();
        Optional<String> podUid = status == null || status.getActivePods() == null ? Optional.empty()
                : status.getActivePods().entrySet().stream().filter(e -> node.equals(e.getValue()))
                        .map(Map.Entry::getKey).sorted().findFirst();
        if (podUid.isEmpty()) {
            return new Located(guest, null, "VirtualMachineInstance " + guest + " has no launcher pod on node " + node);
        }
        try {
            Optional<Path> socket = locator.locate(new AgentSocketLocator.Guest(guest.namespace(), guest.name(), podUid.get()));
            if (socket.isEmpty()) {
                return new Located(guest, null, "no agent socket of " + guest + " (pod " + podUid.get()
                        + ") at " + locator.candidates(new AgentSocketLocator.Guest(guest.namespace(), guest.name(),
                        podUid.get())));
            }
            found.put(guest, socket.get());
            return new Located(guest, socket.get(), null);
        } catch (UnsafePathException e) {
            return new Located(guest, null, e.getMessage());
        }
    }

    @Override
    public GuestAgent open(GuestRef guest) {
        Path socket = found.get(guest);
        if (socket == null) {
            throw new AgentUnavailableException("no agent socket known for " + guest, null);
        }
        return opener.apply(guest, socket);
    }
}
