package io.quiesce.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonLogFormatter formatter = new JsonLogFormatter();

    private JsonNode parse(LogEvent event) throws Exception {
        String line = formatter.format(event);
        assertThat(line).endsWith("\n").hasLineCount(1);
        return MAPPER.readTree(line);
    }

    @Test
    void fixedFieldsAndFlattenedMdc() throws Exception {
        Map<String, String> mdc = new TreeMap<>(Map.of("resource.namespace", "prod", "resource.name", "s1",
                "resource.kind", "QuiescedSnapshot"));

        JsonNode json = parse(new LogEvent(Instant.parse("2026-03-28T02:30:00Z"), LogLevel.WARN, "io.quiesce.X",
                "main", "frozen 2 filesystem(s)", mdc, null));

        assertThat(json.path("ts").asText()).isEqualTo("2026-03-28T02:30:00.000Z");
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("logger").asText()).isEqualTo("io.quiesce.X");
        assertThat(json.path("thread").asText()).isEqualTo("main");
        assertThat(json.path("msg").asText()).isEqualTo("frozen 2 filesystem(s)");
        assertThat(json.path("resource.namespace").asText()).isEqualTo("prod");
        assertThat(json.path("resource.name").asText()).isEqualTo("s1");
        assertThat(json.path("resource.kind").asText()).isEqualTo("QuiescedSnapshot");
        assertThat(json.has("exception")).isFalse();
        assertThat(Instant.parse(json.path("ts").asText())).isEqualTo(Instant.parse("2026-03-28T02:30:00Z"));
    }

    @Test
    void everyStringIsEscapedAndRoundTrips() throws Exception {
        String nasty = "quote\" backslash\\ newline\n cr\r tab\t bell\u0007 nul\u0000 ls\u2028 emoji\uD83D\uDE00 \"}{\"level\":\"ERROR";

        JsonNode json = parse(new LogEvent(Instant.EPOCH, LogLevel.INFO, "l", "thread\n\"x", nasty,
                Map.of("key\"with\nnewline", nasty), null));

        assertThat(json.path("msg").asText()).isEqualTo(nasty);
        assertThat(json.path("thread").asText()).isEqualTo("thread\n\"x");
        assertThat(json.path("key\"with\nnewline").asText()).isEqualTo(nasty);
        assertThat(json.path("level").asText()).isEqualTo("INFO");
    }

    @Test
    void mdcKeysNeverOverwriteTheFixedFields() throws Exception {
        JsonNode json = parse(new LogEvent(Instant.EPOCH, LogLevel.INFO, "l", "t", "m",
                new TreeMap<>(Map.of("level", "ERROR", "msg", "spoofed")), null));

        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("msg").asText()).isEqualTo("m");
        assertThat(json.path("mdc.level").asText()).isEqualTo("ERROR");
        assertThat(json.path("mdc.msg").asText()).isEqualTo("spoofed");
    }

    @Test
    void exceptionHasClassMessageAndFullStack() throws Exception {
        RuntimeException error = new IllegalStateException("thaw failed", new java.io.IOException("broken pipe"));

        JsonNode exception = parse(new LogEvent(Instant.EPOCH, LogLevel.ERROR, "l", "t", "m", Map.of(), error))
                .path("exception");

        assertThat(exception.path("class").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(exception.path("message").asText()).isEqualTo("thaw failed");
        assertThat(exception.path("stack").asText()).startsWith("java.lang.IllegalStateException: thaw failed\n\tat ")
                .contains("Caused by: java.io.IOException: broken pipe", "JsonLogFormatterTest");
    }

    @Test
    void aHugeStackIsCut() throws Exception {
        RuntimeException error = new RuntimeException("x".repeat(LogFormatter.MAX_STACK_CHARS * 2));

        JsonNode exception = parse(new LogEvent(Instant.EPOCH, LogLevel.ERROR, "l", "t", "m", Map.of(), error))
                .path("exception");

        assertThat(exception.path("stack").asText()).hasSizeLessThan(LogFormatter.MAX_STACK_CHARS + 100)
                .endsWith("(cut at " + LogFormatter.MAX_STACK_CHARS + " characters)");
    }
}
