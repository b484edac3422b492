package io.quiesce.window;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Which way the helper reaches a guest, from the channel asked for and the sockets found on this
 * node. A pure rule, so that the whole table is unit-tested:
 * <ul>
 *   <li>{@code auto}: the libvirt socket when found; else the agent socket; else nothing, reason
 *       {@value #NO_AGENT_CHANNEL} (the operator then freezes through KubeVirt). Never the agent
 *       socket while a libvirt socket exists: libvirt holds the agent socket of its VM, and QEMU
 *       serves one client at a time, so a second client is never answered.</li>
 *   <li>{@code libvirt} or {@code qga}: that socket or a clear reason; never another channel.</li>
 *   <li>{@code kubevirt-api}: the operator's channel, never the helper's.</li>
 * </ul>
 */
final class ChannelChoice {
    static final String NO_AGENT_CHANNEL = "NoAgentChannel";
    static final String LIBVIRT_SOCKET_NOT_FOUND = "LibvirtSocketNotFound";
    static final String AGENT_SOCKET_NOT_FOUND = "AgentSocketNotFound";
    static final String CHANNEL_NOT_SERVED = "ChannelNotServed";

    private ChannelChoice() {
    }

    /**
     * What was looked for on this node, and why it was not found when it was not.
     *
     * @param libvirtSocket the libvirt daemon socket of the VM's pod, or null
     * @param libvirtProblem why there is none (not configured, not there, unsafe path)
     * @param agentSocket   the VM's agent socket, or null
     * @param agentProblem  why there is none
     */
    record Sockets(Path libvirtSocket, String libvirtProblem, Path agentSocket, String agentProblem) {
    }

    /**
     * The outcome: a method and socket, or a reason and message.
     *
     * @param method  {@code QGA} or {@code LIBVIRT}; null when no channel can be used
     * @param socket  the socket of {@code method}; null with it
     * @param reason  the CamelCase reason when no channel can be used
     * @param problem what was missing, for people
     */
    record Choice(FreezeMethod method, Path socket, String reason, String problem) {
        static Choice of(FreezeMethod method, Path socket) {
            return new Choice(method, Objects.requireNonNull(socket), null, null);
        }

        static Choice none(String reason, String problem) {
            return new Choice(null, null, reason, problem);
        }

        boolean found() {
            return method != null;
        }
    }

    static Choice choose(QuiesceChannel requested, Sockets sockets) {
        return switch (requested) {
            case AUTO -> {
                if (sockets.libvirtSocket() != null) {
                    yield Choice.of(FreezeMethod.LIBVIRT, sockets.libvirtSocket());
                }
                if (sockets.agentSocket() != null) {
                    yield Choice.of(FreezeMethod.QGA, sockets.agentSocket());
                }
                yield Choice.none(NO_AGENT_CHANNEL, "channel auto found no libvirt socket (" + sockets.libvirtProblem()
                        + ") and no agent socket (" + sockets.agentProblem() + ")");
            }
            case LIBVIRT -> sockets.libvirtSocket() != null ? Choice.of(FreezeMethod.LIBVIRT, sockets.libvirtSocket())
                    : Choice.none(LIBVIRT_SOCKET_NOT_FOUND, "channel libvirt: " + sockets.libvirtProblem());
            case QGA -> sockets.agentSocket() != null ? Choice.of(FreezeMethod.QGA, sockets.agentSocket())
                    : Choice.none(AGENT_SOCKET_NOT_FOUND, "channel qga: " + sockets.agentProblem());
            case KUBEVIRT_API -> Choice.none(CHANNEL_NOT_SERVED,
                    "channel kubevirt-api is run by the operator, not by the node helper");
        };
    }
}
