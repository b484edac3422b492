package io.quiesce.window;

import io.quiesce.agent.GuestAgent;
import java.nio.file.Path;

/** Opens an agent connection to a libvirt domain through a libvirt daemon's socket. */
@FunctionalInterface
public interface LibvirtOpener {

    /**
     * @param daemonSocket the libvirt daemon's unix socket (may be longer than a socket address allows)
     * @param domain       the libvirt domain name
     * @throws io.quiesce.agent.AgentException when the daemon or the domain cannot be reached
     */
    GuestAgent open(Path daemonSocket, String domain);
}
