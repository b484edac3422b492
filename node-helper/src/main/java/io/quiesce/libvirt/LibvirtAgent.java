package io.quiesce.libvirt;

import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestFilesystem;
import io.quiesce.agent.GuestInfo;
import io.quiesce.agent.QgaSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@link GuestAgent} through a libvirt daemon: the guest's agent is reached by the daemon that
 * holds its socket. Stub: the protocol client follows.
 */
public final class LibvirtAgent implements GuestAgent {

    private final Path daemonSocket;
    private final String domain;
    private final QgaSettings settings;

    private LibvirtAgent(Path daemonSocket, String domain, QgaSettings settings) {
        this.daemonSocket = Objects.requireNonNull(daemonSocket, "daemonSocket");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * A channel to {@code domain}'s agent through the libvirt daemon listening on {@code daemonSocket}
     * (any path length: paths over the 107-byte unix limit are reached through a short private symlink).
     * Connects on first use; the timeouts of {@code settings} bound every call.
     */
    public static GuestAgent open(Path daemonSocket, String domain, QgaSettings settings) {
        return new LibvirtAgent(daemonSocket, domain, settings);
    }

    /** The libvirt domain name KubeVirt gives a VirtualMachineInstance: {@code <namespace>_<vmi>}. */
    public static String kubevirtDomainName(String namespace, String vmiName) {
        return namespace + "_" + vmiName;
    }

    @Override
    public void ping() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public GuestInfo info() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public FreezeState freezeStatus() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public int freeze(List<String> mountpoints) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public int thaw() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public List<GuestFilesystem> filesystems() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
    }
}
