package io.quiesce.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tells a connect() refused for lack of permission from other failures, and says what refused it.
 */
final class SocketAccess {

  private SocketAccess() {}

  /**
   * EACCES (the socket, or a directory on the way, does not let this process in) or EPERM (a
   * security module said no); junixsocket reports both with the C library's text.
   */
  static boolean deniedPermission(IOException e) {
    String message = e.getMessage();
    return message != null
        && (message.contains("Permission denied") || message.contains("Operation not permitted"));
  }

  /**
   * The socket's owner and mode when this process can read them, e.g. " (socket owned by uid 107,
   * mode 0700)".
   */
  static String describe(Path socket) {
    try {
      Map<String, Object> attributes = Files.readAttributes(socket, "unix:uid,gid,mode");
      int mode = (Integer) attributes.get("mode") & 07777;
      return String.format(
          " (socket owned by uid %s gid %s, mode %04o)",
          attributes.get("uid"), attributes.get("gid"), mode);
    } catch (IOException
        | UnsupportedOperationException
        | IllegalArgumentException
        | ClassCastException e) {
      return " (its owner and mode cannot be read either: a directory on the way refuses this process)";
    }
  }
}
