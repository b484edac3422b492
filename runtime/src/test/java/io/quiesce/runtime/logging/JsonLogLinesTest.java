package io.quiesce.runtime.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The JSON lines as logback and its JSON encoder write them: fields, escaping, MDC, exceptions. */
class JsonLogLinesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  /** What {@code log} writes as JSON at info, as one line, parsed. */
  private static JsonNode line(Consumer<Logger> log, String loggerName) throws Exception {
    try (CapturedLogs logs = CapturedLogs.start(LogSettings.of(LogFormat.JSON, Level.INFO))) {
      log.accept(LoggerFactory.getLogger(loggerName));
      String text = logs.text();
      assertThat(text).endsWith("\n").hasLineCount(1);
      return MAPPER.readTree(text);
    }
  }

  @Test
  void fixedFieldsAndFlattenedMdc() throws Exception {
    MDC.setContextMap(
        Map.of(
            "resource.namespace",
            "prod",
            "resource.name",
            "s1",
            "resource.kind",
            "QuiescedSnapshot"));
    Instant before = Instant.now().minusMillis(1);

    JsonNode json = line(log -> log.warn("frozen {} filesystem(s)", 2), "io.quiesce.X");

    assertThat(json.path("ts").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(Instant.parse(json.path("ts").asText()))
        .isBetween(before, Instant.now().plus(Duration.ofSeconds(1)));
    assertThat(json.path("level").asText()).isEqualTo("WARN");
    assertThat(json.path("logger").asText()).isEqualTo("io.quiesce.X");
    assertThat(json.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(json.path("msg").asText()).isEqualTo("frozen 2 filesystem(s)");
    assertThat(json.path("resource.namespace").asText()).isEqualTo("prod");
    assertThat(json.path("resource.name").asText()).isEqualTo("s1");
    assertThat(json.path("resource.kind").asText()).isEqualTo("QuiescedSnapshot");
    assertThat(json.has("exception")).isFalse();
    assertThat(fieldNames(json).subList(0, 5))
        .containsExactly("ts", "level", "logger", "thread", "msg");
    assertThat(fieldNames(json).subList(5, 8))
        .containsExactlyInAnyOrder("resource.kind", "resource.name", "resource.namespace");
    assertThat(fieldNames(json)).hasSize(8);
  }

  @Test
  void everyStringIsEscapedAndRoundTrips() throws Exception {
    String nasty =
        "quote\" backslash\\ newline\n cr\r tab\t bell\u0007 nul\u0000 ls\u2028 emoji\uD83D\uDE00 \"}{\"level\":\"ERROR";
    JsonNode[] json = new JsonNode[1];
    Thread thread =
        new Thread(
            () -> {
              MDC.put("key\"with\nnewline", nasty);
              try {
                json[0] = line(log -> log.info(nasty), "l");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "thread\n\"x");
    thread.start();
    thread.join(30_000);

    assertThat(json[0].path("msg").asText()).isEqualTo(nasty);
    assertThat(json[0].path("thread").asText()).isEqualTo("thread\n\"x");
    assertThat(json[0].path("key\"with\nnewline").asText()).isEqualTo(nasty);
    assertThat(json[0].path("level").asText()).isEqualTo("INFO");
  }

  @Test
  void mdcKeysNeverOverwriteTheFixedFields() throws Exception {
    MDC.put("level", "ERROR");
    MDC.put("msg", "spoofed");

    JsonNode json = line(log -> log.info("m"), "l");

    assertThat(json.path("level").asText()).isEqualTo("INFO");
    assertThat(json.path("msg").asText()).isEqualTo("m");
    assertThat(json.path("mdc.level").asText()).isEqualTo("ERROR");
    assertThat(json.path("mdc.msg").asText()).isEqualTo("spoofed");
  }

  @Test
  void exceptionHasClassMessageAndFullStack() throws Exception {
    RuntimeException error =
        new IllegalStateException("thaw failed", new java.io.IOException("broken pipe"));

    JsonNode exception = line(log -> log.error("m", error), "l").path("exception");

    assertThat(exception.path("class").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(exception.path("message").asText()).isEqualTo("thaw failed");
    assertThat(exception.path("stack").asText())
        .startsWith("java.lang.IllegalStateException: thaw failed\n\tat ")
        .contains("Caused by: java.io.IOException: broken pipe", "JsonLogLinesTest");
  }

  @Test
  void aHugeStackIsCut() throws Exception {
    RuntimeException error = new RuntimeException("x".repeat(StackTraces.MAX_CHARS * 2));

    JsonNode exception = line(log -> log.error("m", error), "l").path("exception");

    assertThat(exception.path("stack").asText())
        .hasSizeLessThan(StackTraces.MAX_CHARS + 100)
        .endsWith("(cut at " + StackTraces.MAX_CHARS + " characters)");
  }

  private static List<String> fieldNames(JsonNode json) {
    List<String> names = new java.util.ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
