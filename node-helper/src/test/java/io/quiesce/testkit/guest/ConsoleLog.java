package io.quiesce.testkit.guest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the guest's serial console log: the writer's {@code W <n> <uptime>} lines and the
 * heartbeat's {@code H <uptime>} lines. Reads only a bounded window at the end of the file.
 */
final class ConsoleLog {

  /** How much of the log end to scan: many seconds of writer and heartbeat lines. */
  static final int WINDOW_BYTES = 256 * 1024;

  private static final Pattern WRITER = Pattern.compile("(?m)^W (\\d+) (\\d+\\.\\d+)\\r?$");
  private static final Pattern HEARTBEAT = Pattern.compile("(?m)^H (\\d+\\.\\d+)\\r?$");

  private final Path file;

  ConsoleLog(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /** Current length of the log, a mark for {@link #lastHeartbeatAfter(long)}. */
  long size() {
    return file.toFile().length();
  }

  /** The last writer line, if the writer printed one within the window. */
  Optional<WriterProgress> lastWrite() {
    Matcher m = WRITER.matcher(window(Math.max(0, size() - WINDOW_BYTES)));
    WriterProgress last = null;
    while (m.find()) {
      last = new WriterProgress(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)));
    }
    return Optional.ofNullable(last);
  }

  /** The guest uptime of the last heartbeat written after byte {@code mark} of the log. */
  OptionalDouble lastHeartbeatAfter(long mark) {
    long from = Math.max(mark, size() - WINDOW_BYTES);
    String text = window(Math.max(0, from - 1));
    if (from > 0) {
      // only lines that start at or after the mark count; the byte before it tells where one starts
      int nl = text.indexOf('\n');
      text = nl < 0 ? "" : text.substring(nl + 1);
    }
    Matcher m = HEARTBEAT.matcher(text);
    double last = Double.NaN;
    while (m.find()) {
      last = Double.parseDouble(m.group(1));
    }
    return Double.isNaN(last) ? OptionalDouble.empty() : OptionalDouble.of(last);
  }

  /** The log after byte {@code mark}, at most the last {@link #WINDOW_BYTES}. */
  String since(long mark) {
    return window(Math.max(mark, size() - WINDOW_BYTES));
  }

  /** The last {@code maxBytes} of the log, for failure messages. */
  String tail(int maxBytes) {
    return window(Math.max(0, size() - maxBytes));
  }

  private String window(long from) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      if (from >= len) {
        return "";
      }
      byte[] b = new byte[(int) Math.min(len - from, WINDOW_BYTES)];
      f.seek(from);
      f.readFully(b);
      return new String(b, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the guest console log " + file, e);
    }
  }
}
