package io.quiesce.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * For log collectors: exactly one JSON object per line,
 * {@code {"ts":..,"level":..,"logger":..,"thread":..,"msg":.., <MDC keys>.., "exception":{"class":..,"message":..,"stack":..}}}.
 * Jackson writes every string, so quotes, control characters and invalid surrogates are escaped
 * and no value can break the line. An MDC key that collides with one of the fixed fields is written
 * as {@code mdc.<key>} instead of overwriting it.
 */
final class JsonLogFormatter implements LogFormatter {
    static final Set<String> FIELDS = Set.of("ts", "level", "logger", "thread", "msg", "exception");
    private static final JsonFactory JSON = JsonFactory.builder().build();

    @Override
    public String format(LogEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("ts", TIMESTAMP.format(event.time()));
            json.writeStringField("level", event.level().name());
            json.writeStringField("logger", event.logger());
            json.writeStringField("thread", event.thread());
            json.writeStringField("msg", event.message());
            for (Map.Entry<String, String> entry : event.mdc().entrySet()) {
                String key = FIELDS.contains(entry.getKey()) ? "mdc." + entry.getKey() : entry.getKey();
                json.writeStringField(key, entry.getValue());
            }
            if (event.error() != null) {
                json.writeObjectFieldStart("exception");
                json.writeStringField("class", event.error().getClass().getName());
                json.writeStringField("message", event.error().getMessage());
                json.writeStringField("stack", LogFormatter.stackTrace(event.error()));
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.append('\n').toString();
    }
}
