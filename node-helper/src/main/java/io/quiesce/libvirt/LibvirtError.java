package io.quiesce.libvirt;

/**
 * An error reply of the libvirt daemon ({@code remote_error}).
 *
 * @param code libvirt's error number ({@code virErrorNumber}), e.g. 86 for an unresponsive agent
 * @param domain the part of libvirt that raised it ({@code virErrorDomain}), e.g. 10 for QEMU
 * @param message libvirt's message, as virsh would print it after {@code error:}
 */
public record LibvirtError(int code, int domain, String message) {

  /** {@code VIR_ERR_INTERNAL_ERROR}: among others, an error the guest agent returned. */
  public static final int INTERNAL_ERROR = 1;

  /** {@code VIR_ERR_NO_SUPPORT}. */
  public static final int NO_SUPPORT = 3;

  /** {@code VIR_ERR_NO_DOMAIN}. */
  public static final int NO_DOMAIN = 42;

  /** {@code VIR_ERR_AUTH_FAILED}. */
  public static final int AUTH_FAILED = 45;

  /** {@code VIR_ERR_OPERATION_INVALID}, e.g. "domain is not running". */
  public static final int OPERATION_INVALID = 55;

  /** {@code VIR_ERR_OPERATION_TIMEOUT}, e.g. "cannot acquire state change lock". */
  public static final int OPERATION_TIMEOUT = 68;

  /** {@code VIR_ERR_ARGUMENT_UNSUPPORTED}, e.g. mountpoints on a thaw. */
  public static final int ARGUMENT_UNSUPPORTED = 74;

  /** {@code VIR_ERR_OPERATION_UNSUPPORTED}. */
  public static final int OPERATION_UNSUPPORTED = 84;

  /** {@code VIR_ERR_AGENT_UNRESPONSIVE}: agent not connected, or it did not answer in time. */
  public static final int AGENT_UNRESPONSIVE = 86;

  /** {@code VIR_ERR_ACCESS_DENIED}. */
  public static final int ACCESS_DENIED = 88;

  /** Decodes a {@code remote_error}; only code, domain and message are kept. */
  static LibvirtError decode(XdrReader in) {
    int code = in.readInt();
    int domain = in.readInt();
    String message = in.readOptionalString(RemoteProtocol.STRING_MAX);
    in.readInt(); // level
    if (in.readBool()) { // dom: remote_nonnull_domain
      DomainRef.decode(in);
    }
    in.readOptionalString(RemoteProtocol.STRING_MAX); // str1
    in.readOptionalString(RemoteProtocol.STRING_MAX); // str2
    in.readOptionalString(RemoteProtocol.STRING_MAX); // str3
    in.readInt(); // int1
    in.readInt(); // int2
    if (in.readBool()) { // net: remote_nonnull_network
      in.readString(RemoteProtocol.STRING_MAX);
      in.readFixedOpaque(RemoteProtocol.UUID_BYTES);
    }
    in.requireEnd("error reply");
    return new LibvirtError(code, domain, message == null ? "(no message)" : message);
  }

  /** A short name for conditions and logs, e.g. {@code VIR_ERR_86}. */
  public String errorClass() {
    return "VIR_ERR_" + code;
  }

  @Override
  public String toString() {
    return "libvirt error " + code + " (domain " + domain + "): " + message;
  }
}
