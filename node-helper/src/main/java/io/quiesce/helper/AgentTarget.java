package io.quiesce.helper;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the command line reaches one guest's agent: its agent socket directly ({@code --socket}),
 * or a libvirt daemon's socket and the domain ({@code --libvirt-socket --domain}), for guests whose
 * agent socket libvirt holds.
 *
 * @param socket the agent socket, or the libvirt daemon socket
 * @param domain the libvirt domain; null for the direct channel
 * @param libvirtUri the connection opened on the daemon (e.g. {@code qemu:///session}); null for
 *     the direct channel
 */
public record AgentTarget(Path socket, String domain, String libvirtUri) {

  public AgentTarget {
    Objects.requireNonNull(socket, "socket");
    if ((domain == null) != (libvirtUri == null)) {
      throw new IllegalArgumentException("a libvirt target needs both domain and connection URI");
    }
  }

  /** The agent socket itself. */
  public static AgentTarget qga(Path agentSocket) {
    return new AgentTarget(agentSocket, null, null);
  }

  /** A domain behind a libvirt daemon. */
  public static AgentTarget libvirt(Path daemonSocket, String domain, String libvirtUri) {
    return new AgentTarget(
        daemonSocket,
        Objects.requireNonNull(domain, "domain"),
        Objects.requireNonNull(libvirtUri, "libvirtUri"));
  }

  public boolean viaLibvirt() {
    return domain != null;
  }

  /** The socket path, or {@code <domain> via <daemon socket>}. */
  @Override
  public String toString() {
    return viaLibvirt() ? domain + " via " + socket : socket.toString();
  }
}
