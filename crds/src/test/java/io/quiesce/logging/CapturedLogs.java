package io.quiesce.logging;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what {@link QuiesceLogging} writes, in memory, until closed; then restores the settings and
 * standard error. For tests in this package and the other modules.
 */
public final class CapturedLogs implements AutoCloseable {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final LogSettings previous = QuiesceLogging.settings();

    private CapturedLogs(LogSettings settings) {
        QuiesceLogging.configure(settings, new PrintStream(bytes, true, StandardCharsets.UTF_8));
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
