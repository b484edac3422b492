package io.quiesce.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TextLogFormatterTest {
    private static final Instant TIME = Instant.parse("2026-03-28T02:30:00.123456Z");
    private final TextLogFormatter formatter = new TextLogFormatter();

    private static LogEvent event(LogLevel level, String message, Map<String, String> mdc, Throwable error) {
        return new LogEvent(TIME, level, "io.quiesce.window.FreezeWindowRunner", "quiesce-window-1", message, mdc, error);
    }

    @Test
    void oneLineWithTimeLevelThreadLoggerMessageAndMdc() {
        Map<String, String> mdc = new TreeMap<>(Map.of("resource.namespace", "prod", "resource.name", "s1"));

        String line = formatter.format(event(LogLevel.INFO, "thawed after 12 ms", mdc, null));

        assertThat(line).isEqualTo("2026-03-28T02:30:00.123Z INFO  [quiesce-window-1] io.quiesce.window.FreezeWindowRunner"
                + " - thawed after 12 ms {resource.name=s1, resource.namespace=prod}\n");
    }

    @Test
    void withoutMdcNoBracesAndLevelsAreAligned() {
        assertThat(formatter.format(event(LogLevel.ERROR, "x", Map.of(), null)))
                .isEqualTo("2026-03-28T02:30:00.123Z ERROR [quiesce-window-1] io.quiesce.window.FreezeWindowRunner - x\n");
        assertThat(formatter.format(event(LogLevel.WARN, "x", Map.of(), null))).contains(" WARN  [");
    }

    @Test
    void controlCharactersCannotForgeALine() {
        String forged = "name\n2026-03-28T02:30:00.000Z ERROR [main] fake - forged\r\t\u0007\u2028end";

        String line = formatter.format(event(LogLevel.INFO, forged, Map.of("resource.name", "a\nb"), null));

        assertThat(line).hasLineCount(1).endsWith("\n")
                .contains("name\\n2026-03-28T02:30:00.000Z ERROR", "forged\\r\\t\\u0007\\u2028end", "resource.name=a\\nb");
    }

    @Test
    void stackTraceFollowsOnTabIndentedLines() {
        IOException error = new IOException("socket closed\nby peer", new IllegalStateException("root cause"));

        String text = formatter.format(event(LogLevel.ERROR, "freeze window failed", Map.of(), error));

        String[] lines = text.split("\n");
        assertThat(lines[0]).endsWith(" - freeze window failed");
        assertThat(lines).hasSizeGreaterThan(3);
        assertThat(java.util.Arrays.copyOfRange(lines, 1, lines.length)).allSatisfy(l -> assertThat(l).startsWith("\t"));
        assertThat(text).contains("\tjava.io.IOException: socket closed", "\tby peer",
                "\tCaused by: java.lang.IllegalStateException: root cause", "\tat io.quiesce.logging.TextLogFormatterTest");
    }
}
