package io.quiesce.window;

import io.quiesce.agent.GuestAgent;
import io.quiesce.libvirt.LibvirtDomain;
import java.nio.file.Path;

/** Opens an agent connection to a libvirt domain through a libvirt daemon's socket. */
@FunctionalInterface
public interface LibvirtOpener {

  /**
   * @param daemonSocket the libvirt daemon's unix socket (may be longer than a socket address
   *     allows)
   * @param domain the libvirt domain: its name, and the UUID it must have when one is known (the
   *     opener must refuse, before any call on the domain, a daemon whose domain of that name has
   *     another UUID)
   * @throws io.quiesce.agent.AgentException when the daemon or the domain cannot be reached
   */
  GuestAgent open(Path daemonSocket, LibvirtDomain domain);
}
