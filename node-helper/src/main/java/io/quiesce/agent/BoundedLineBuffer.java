package io.quiesce.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into {@code \n}-terminated lines without decoding it (the agent's 0xFF
 * delimiter is not UTF-8) and without ever holding more than one line of at most {@code
 * maxLineBytes} plus its newline: the buffer starts small and grows up to that cap only.
 */
final class BoundedLineBuffer {

  private static final int INITIAL_CAPACITY = 8192;

  private final int maxLineBytes;
  private byte[] buf;
  private int start; // first byte of the current line
  private int end; // one past the last byte read
  private int scanned; // bytes before this index hold no newline

  BoundedLineBuffer(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
    this.buf = new byte[Math.min(INITIAL_CAPACITY, maxLineBytes + 1)];
  }

  /** The next complete line without its {@code \n}, or null when none is buffered. */
  byte[] pollLine() {
    for (int i = scanned; i < end; i++) {
      if (buf[i] == '\n') {
        byte[] line = Arrays.copyOfRange(buf, start, i);
        start = i + 1;
        scanned = start;
        return line;
      }
    }
    scanned = end;
    return null;
  }

  /**
   * Reads once from {@code in} into free space, after {@link #pollLine()} returned null.
   *
   * @return bytes read, or -1 at end of stream
   * @throws AgentProtocolException when the pending line already exceeds the limit
   */
  int readFrom(InputStream in) throws IOException {
    makeRoom();
    return append(in.read(buf, end, buf.length - end));
  }

  /** Bytes of the line being assembled (no newline seen yet). */
  int pendingBytes() {
    return end - start;
  }

  /** Current size of the backing array, for tests of the bound. */
  int capacity() {
    return buf.length;
  }

  private int append(int n) {
    if (n > 0) {
      end += n;
    }
    return n;
  }

  private void makeRoom() {
    if (end - start > maxLineBytes) {
      throw new AgentProtocolException("reply line longer than " + maxLineBytes + " bytes");
    }
    if (end < buf.length) {
      return;
    }
    if (start > 0) { // compact: drop consumed lines
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      scanned -= start;
      start = 0;
    }
    if (end == buf.length) { // still full: grow, but never past one maximal line + newline
      buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, maxLineBytes + 1L));
    }
  }
}
