package io.quiesce.libvirt;

import io.quiesce.agent.AgentProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes XDR from one received packet. Every length read from the wire is checked against the
 * bytes left and against a caller's maximum before anything is allocated; a violation is an {@link
 * AgentProtocolException}.
 */
final class XdrReader {

  private final byte[] buf;
  private final int end;
  private int pos;

  XdrReader(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IllegalArgumentException("range outside the buffer");
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  XdrReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  int readInt() {
    need(4, "an integer");
    int v =
        (buf[pos] & 0xFF) << 24
            | (buf[pos + 1] & 0xFF) << 16
            | (buf[pos + 2] & 0xFF) << 8
            | buf[pos + 3] & 0xFF;
    pos += 4;
    return v;
  }

  /** An XDR unsigned int, which Java has no type for. */
  long readUnsignedInt() {
    return readInt() & 0xFFFF_FFFFL;
  }

  boolean readBool() {
    int v = readInt();
    if (v != 0 && v != 1) {
      throw violation("boolean of value " + v);
    }
    return v == 1;
  }

  /** A non-null string of at most {@code maxBytes}. */
  String readString(int maxBytes) {
    int length = readLength(maxBytes, "string");
    need(padded(length), "a string of " + length + " bytes");
    String s = new String(buf, pos, length, StandardCharsets.UTF_8);
    pos += padded(length);
    return s;
  }

  /** A {@code remote_string}: null or a string of at most {@code maxBytes}. */
  String readOptionalString(int maxBytes) {
    return readBool() ? readString(maxBytes) : null;
  }

  byte[] readFixedOpaque(int length) {
    need(padded(length), length + " bytes of opaque data");
    byte[] b = Arrays.copyOfRange(buf, pos, pos + length);
    pos += padded(length);
    return b;
  }

  /** The count of a variable array, at most {@code maxItems}. */
  int readArrayLength(int maxItems) {
    return readLength(maxItems, "array");
  }

  List<Integer> readIntArray(int maxItems) {
    int n = readArrayLength(maxItems);
    List<Integer> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(readInt());
    }
    return values;
  }

  int remaining() {
    return end - pos;
  }

  /** Fails unless every byte was consumed: a longer body is not the structure we expected. */
  void requireEnd(String what) {
    if (pos != end) {
      throw violation(what + " has " + (end - pos) + " unexpected trailing bytes");
    }
  }

  private int readLength(long max, String what) {
    long length = readUnsignedInt();
    if (length > max) {
      throw violation(what + " length " + length + " exceeds the limit of " + max);
    }
    return (int) length;
  }

  private void need(long bytes, String what) {
    if (bytes > end - pos) {
      throw violation(
          "truncated: " + what + " needs " + bytes + " bytes, " + (end - pos) + " left");
    }
  }

  private static long padded(long length) {
    return (length + 3) & ~3L;
  }

  private static AgentProtocolException violation(String message) {
    return new AgentProtocolException("libvirt XDR: " + message);
  }
}
