package io.quiesce.libvirt;

import io.quiesce.agent.AgentProtocolException;

/**
 * The header after each packet's length word: which program, version and procedure, whether it is a
 * call, a reply or an unsolicited message, the serial that pairs a reply with its call, and the
 * reply's status.
 */
record PacketHeader(int program, int version, int procedure, int type, int serial, int status) {

  /** Bytes of the length word plus this header. */
  static final int WIRE_BYTES = 28;

  static final int TYPE_CALL = 0;
  static final int TYPE_REPLY = 1;
  static final int TYPE_MESSAGE = 2;

  static final int STATUS_OK = 0;
  static final int STATUS_ERROR = 1;

  static PacketHeader call(int program, int procedure, int serial) {
    return new PacketHeader(
        program, RemoteProtocol.PROGRAM_VERSION, procedure, TYPE_CALL, serial, STATUS_OK);
  }

  void encode(XdrWriter out) {
    out.writeInt(program)
        .writeInt(version)
        .writeInt(procedure)
        .writeInt(type)
        .writeInt(serial)
        .writeInt(status);
  }

  static PacketHeader decode(XdrReader in) {
    PacketHeader h =
        new PacketHeader(
            in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
    if (h.status != STATUS_OK && h.status != STATUS_ERROR) {
      throw new AgentProtocolException(
          "libvirt packet with unsupported status " + h.status + ": " + h);
    }
    return h;
  }

  boolean isReplyTo(PacketHeader call) {
    return type == TYPE_REPLY && serial == call.serial;
  }

  @Override
  public String toString() {
    return String.format(
        "program=0x%08x version=%d procedure=%d type=%d serial=%d status=%d",
        program, version, procedure, type, serial, status);
  }
}
