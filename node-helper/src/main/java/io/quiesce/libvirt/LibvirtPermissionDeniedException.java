package io.quiesce.libvirt;

import io.quiesce.agent.AgentException;
import io.quiesce.status.Reason;
import java.nio.file.Path;

/**
 * This process may not connect to the libvirt daemon's socket (EACCES on connect, or on a directory
 * on the way). Raised while connecting, so always before any command reached the daemon. On
 * KubeVirt nodes this is what a node helper without {@code CAP_DAC_OVERRIDE} meets: a non-root
 * virt-launcher's virtqemud runs in session mode as uid 107 and keeps its socket owner-only (mode
 * 0700).
 */
public final class LibvirtPermissionDeniedException extends AgentException {
  private final Path socket;

  public LibvirtPermissionDeniedException(Path socket, String detail, Throwable cause) {
    super(
        "cannot connect to the libvirt daemon socket "
            + socket
            + ": permission denied"
            + detail
            + "; connecting needs the daemon's uid or CAP_DAC_OVERRIDE",
        cause);
    this.socket = socket;
  }

  /** The daemon socket that refused this process. */
  public Path socket() {
    return socket;
  }

  @Override
  public String reason() {
    return Reason.LIBVIRT_PERMISSION_DENIED.wire();
  }
}
