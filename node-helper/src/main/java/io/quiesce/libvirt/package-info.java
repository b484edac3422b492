/**
 * The {@code libvirt} agent channel: freeze, thaw and agent queries through a libvirt daemon's unix
 * socket, the way {@code virsh domfsfreeze} does. In a KubeVirt virt-launcher pod libvirt
 * (virtqemud) holds the guest agent's socket for the VM's whole life and QEMU serves one client at
 * a time, so the node helper must go through that pod's daemon instead of the agent socket.
 *
 * <p>Why a client of libvirt's remote protocol (XDR over the unix socket, with junixsocket) rather
 * than libvirt-java: libvirt-java is a JNA binding that needs the native client library ({@code
 * libvirt0}) in the node helper's image, and it has no {@code fsFreeze}/{@code fsThaw}: only {@code
 * qemuAgentCommand}, which marks the domain {@code tainted: custom-ga-command}. The handful of
 * calls needed here (auth-list, open, lookup, FS freeze/thaw, agent command, close) are a few
 * hundred lines of plain Java with a timeout on every call and a bound on every read.
 *
 * <p>Freeze and thaw use the dedicated {@code DOMAIN_FSFREEZE}/{@code DOMAIN_FSTHAW} calls, which
 * do not taint the domain. Status, ping, info and fsinfo go through the QEMU program's {@code
 * DOMAIN_AGENT_COMMAND} (as KubeVirt itself reads the freeze status), which does taint it.
 */
package io.quiesce.libvirt;
