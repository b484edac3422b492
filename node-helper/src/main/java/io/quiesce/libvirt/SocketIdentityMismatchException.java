package io.quiesce.libvirt;

import io.quiesce.agent.AgentException;
import io.quiesce.status.Reason;
import java.nio.file.Path;

/**
 * The daemon behind a socket is not the guest's own: it has no domain of the guest's name, or that
 * domain has another UUID than the guest's. Raised by the connection's handshake, before any call
 * on a domain (no freeze, thaw or agent command was sent). A launcher that swaps its socket for a
 * link to another pod's daemon between the helper's path check and its connect ends here.
 */
public final class SocketIdentityMismatchException extends AgentException {

  public static final String REASON = Reason.SOCKET_IDENTITY_MISMATCH.wire();

  public SocketIdentityMismatchException(Path socket, String detail) {
    super(
        "the libvirt daemon at "
            + socket
            + " is not the guest's own: "
            + detail
            + "; nothing was sent to it",
        null);
  }

  @Override
  public String reason() {
    return REASON;
  }
}
