package io.quiesce.libvirt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes XDR (RFC 4506) the way libvirt's remote protocol uses it: big-endian 4-byte integers,
 * strings and opaque data padded to 4 bytes, optional values as a boolean then the value, and
 * variable arrays as a count then the elements.
 */
final class XdrWriter {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

  XdrWriter writeInt(int value) {
    out.write(value >>> 24);
    out.write(value >>> 16);
    out.write(value >>> 8);
    out.write(value);
    return this;
  }

  XdrWriter writeBool(boolean value) {
    return writeInt(value ? 1 : 0);
  }

  /** A non-null string of at most {@code maxBytes} UTF-8 bytes. */
  XdrWriter writeString(String value, int maxBytes) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxBytes) {
      throw new IllegalArgumentException(
          "string of " + bytes.length + " bytes exceeds " + maxBytes);
    }
    writeInt(bytes.length);
    return writePadded(bytes);
  }

  /** A string that may be null ({@code remote_string}: a pointer in libvirt's XDR). */
  XdrWriter writeOptionalString(String value, int maxBytes) {
    writeBool(value != null);
    return value == null ? this : writeString(value, maxBytes);
  }

  /** Fixed-length opaque data, such as a UUID: no length on the wire. */
  XdrWriter writeFixedOpaque(byte[] bytes, int length) {
    if (bytes.length != length) {
      throw new IllegalArgumentException("expected " + length + " bytes, got " + bytes.length);
    }
    return writePadded(bytes);
  }

  /** A variable array of non-null strings, at most {@code maxItems}. */
  XdrWriter writeStringArray(List<String> values, int maxItems, int maxBytes) {
    if (values.size() > maxItems) {
      throw new IllegalArgumentException(
          values.size() + " strings exceed the limit of " + maxItems);
    }
    writeInt(values.size());
    values.forEach(v -> writeString(v, maxBytes));
    return this;
  }

  int size() {
    return out.size();
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  private XdrWriter writePadded(byte[] bytes) {
    out.write(bytes, 0, bytes.length);
    for (int pad = (4 - bytes.length % 4) % 4; pad > 0; pad--) {
      out.write(0);
    }
    return this;
  }
}
