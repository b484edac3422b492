package io.quiesce.runtime.logging;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what {@link QuiesceLogging} writes (through logback), in memory, until closed; then
 * restores the settings and standard error. For tests in this package and the other modules.
 */
public final class CapturedLogs implements AutoCloseable {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final LogSettings previous = QuiesceLogging.settings();

  private CapturedLogs(LogSettings settings) {
    QuiesceLogging.configure(settings, bytes);
  }

  /** Starts capturing with {@code settings}. */
  public static CapturedLogs start(LogSettings settings) {
    return new CapturedLogs(settings);
  }

  /** Everything written so far. */
  public String text() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** The lines written so far. */
  public List<String> lines() {
    return text().lines().toList();
  }

  @Override
  public void close() {
    QuiesceLogging.configure(previous);
  }
}
