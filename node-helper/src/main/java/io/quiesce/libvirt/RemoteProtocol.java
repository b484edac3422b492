package io.quiesce.libvirt;

/**
 * Numbers and limits of libvirt's remote protocol ({@code remote_protocol.x}, {@code
 * qemu_protocol.x}, {@code virnetprotocol.x}) for the calls this client makes.
 */
final class RemoteProtocol {

  /** {@code REMOTE_PROGRAM}, version 1. */
  static final int REMOTE_PROGRAM = 0x20008086;

  /** {@code QEMU_PROGRAM}, version 1: QEMU-specific calls such as the raw agent command. */
  static final int QEMU_PROGRAM = 0x20008087;

  /** {@code KEEPALIVE_PROGRAM} ("keep"): pings a daemon may send; answered with a pong. */
  static final int KEEPALIVE_PROGRAM = 0x6b656570;

  static final int PROGRAM_VERSION = 1;

  static final int PROC_CONNECT_OPEN = 1;
  static final int PROC_CONNECT_CLOSE = 2;
  static final int PROC_DOMAIN_LOOKUP_BY_NAME = 23;
  static final int PROC_AUTH_LIST = 66;
  static final int PROC_AUTH_POLKIT = 67;
  static final int PROC_DOMAIN_FSFREEZE = 335;
  static final int PROC_DOMAIN_FSTHAW = 336;
  static final int QEMU_PROC_DOMAIN_AGENT_COMMAND = 3;
  static final int KEEPALIVE_PROC_PING = 1;
  static final int KEEPALIVE_PROC_PONG = 2;

  static final int AUTH_NONE = 0;
  static final int AUTH_POLKIT = 2;

  /** {@code REMOTE_STRING_MAX}: the longest string the protocol carries. */
  static final int STRING_MAX = 4 * 1024 * 1024;

  static final int AUTH_TYPE_LIST_MAX = 20;
  static final int FSFREEZE_MOUNTPOINTS_MAX = 256;
  static final int UUID_BYTES = 16;

  /**
   * Longest packet accepted, length word included. libvirt allows larger messages, but nothing this
   * client asks for comes near it; anything longer is refused before it is read.
   */
  static final int MAX_PACKET_BYTES = 4 * 1024 * 1024;

  private RemoteProtocol() {}
}
