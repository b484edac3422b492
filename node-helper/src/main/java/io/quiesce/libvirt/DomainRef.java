package io.quiesce.libvirt;

/**
 * A domain as the protocol names it ({@code remote_nonnull_domain}): calls on a domain carry what
 * the lookup returned.
 */
record DomainRef(String name, byte[] uuid, int id) {

  static DomainRef decode(XdrReader in) {
    return new DomainRef(
        in.readString(RemoteProtocol.STRING_MAX),
        in.readFixedOpaque(RemoteProtocol.UUID_BYTES),
        in.readInt());
  }

  void encode(XdrWriter out) {
    out.writeString(name, RemoteProtocol.STRING_MAX)
        .writeFixedOpaque(uuid, RemoteProtocol.UUID_BYTES)
        .writeInt(id);
  }
}
