package io.quiesce.runtime.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The text lines as logback's pattern layout writes them with {@link TextLines#PATTERN}. */
class TextLogLinesTest {
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
  private static final String LOGGER = "io.quiesce.window.FreezeWindowRunner";

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  private static String text(Consumer<Logger> log) {
    try (CapturedLogs logs = CapturedLogs.start(LogSettings.of(LogFormat.TEXT, Level.INFO))) {
      log.accept(LoggerFactory.getLogger(LOGGER));
      return logs.text();
    }
  }

  @Test
  void oneLineWithTimeLevelThreadLoggerMessageAndMdc() {
    MDC.put("resource.namespace", "prod");

    String line = text(log -> log.info("thawed after {} ms", 12));

    assertThat(line)
        .matches(
            TIME
                + " INFO  \\["
                + java.util.regex.Pattern.quote(Thread.currentThread().getName())
                + "\\] "
                + LOGGER
                + " - thawed after 12 ms \\{resource.namespace=prod\\}\n");
  }

  @Test
  void withoutMdcNoBracesAndLevelsAreAligned() {
    assertThat(text(log -> log.error("x")))
        .matches(TIME + " ERROR \\[[^]]+\\] " + LOGGER + " - x\n");
    assertThat(text(log -> log.warn("x"))).contains(" WARN  [");
  }

  @Test
  void controlCharactersCannotForgeALine() {
    String forged = "name\n2026-03-28T02:30:00.000Z ERROR [main] fake - forged\r\t\u0007\u2028end";
    MDC.put("resource.name", "a\nb");

    String line = text(log -> log.info(forged));

    assertThat(line)
        .hasLineCount(1)
        .endsWith("\n")
        .contains(
            "name\\n2026-03-28T02:30:00.000Z ERROR",
            "forged\\r\\t\\u0007\\u2028end",
            "resource.name=a\\nb");
  }

  @Test
  void stackTraceFollowsOnTabIndentedLines() {
    IOException error =
        new IOException("socket closed\nby peer", new IllegalStateException("root cause"));

    String text = text(log -> log.error("freeze window failed", error));

    String[] lines = text.split("\n");
    assertThat(lines[0]).endsWith(" - freeze window failed");
    assertThat(lines).hasSizeGreaterThan(3);
    assertThat(java.util.Arrays.copyOfRange(lines, 1, lines.length))
        .allSatisfy(l -> assertThat(l).startsWith("\t"));
    assertThat(text)
        .contains(
            "\tjava.io.IOException: socket closed",
            "\tby peer",
            "\tCaused by: java.lang.IllegalStateException: root cause",
            "\tat io.quiesce.runtime.logging.TextLogLinesTest");
  }
}
