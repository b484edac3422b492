package io.quiesce.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import net.logstash.logback.composite.AbstractFieldJsonProvider;
import net.logstash.logback.composite.JsonProvider;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventThreadNameJsonProvider;
import net.logstash.logback.composite.loggingevent.MdcJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;

/**
 * For log collectors: exactly one JSON object per line, written by logstash-logback-encoder
 * (Jackson): {@code {"ts":..,"level":..,"logger":..,"thread":..,"msg":.., <MDC keys>..,
 * "exception":{"class":..,"message":..,"stack":..}}}. Jackson escapes every string, so no value can
 * break the line. An MDC key that collides with one of the fixed fields is written as {@code
 * mdc.<key>} instead of overwriting it.
 */
final class JsonLines {
  static final List<String> FIELDS = List.of("ts", "level", "logger", "thread", "msg", "exception");

  private JsonLines() {}

  static Encoder<ILoggingEvent> encoder(Context context) {
    LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
    encoder.setContext(context);
    LoggingEventFormattedTimestampJsonProvider ts =
        new LoggingEventFormattedTimestampJsonProvider();
    ts.setPattern(
        "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"); // RFC 3339, UTC, always milliseconds: collectors sort by
    // it
    ts.setTimeZone("UTC");
    MdcJsonProvider mdc = new MdcJsonProvider();
    FIELDS.forEach(field -> mdc.addMdcKeyFieldName(field + "=mdc." + field));
    List<AbstractFieldJsonProvider<ILoggingEvent>> providers =
        List.of(
            ts,
            new LogLevelJsonProvider(),
            new LoggerNameJsonProvider(),
            new LoggingEventThreadNameJsonProvider(),
            new MessageJsonProvider(),
            mdc,
            new ExceptionJsonProvider());
    List<String> names = List.of("ts", "level", "logger", "thread", "msg", "", "exception");
    for (int i = 0; i < providers.size(); i++) {
      JsonProvider<ILoggingEvent> provider = providers.get(i);
      if (!names.get(i).isEmpty()) {
        providers.get(i).setFieldName(names.get(i));
      }
      encoder.getProviders().addProvider(provider);
    }
    encoder.start();
    return encoder;
  }

  /** {@code "exception":{"class","message","stack"}}, only for an event that has one. */
  static final class ExceptionJsonProvider extends AbstractFieldJsonProvider<ILoggingEvent> {
    @Override
    public void writeTo(JsonGenerator json, ILoggingEvent event) throws IOException {
      if (event.getThrowableProxy() == null) {
        return;
      }
      json.writeObjectFieldStart(getFieldName());
      json.writeStringField("class", event.getThrowableProxy().getClassName());
      json.writeStringField("message", event.getThrowableProxy().getMessage());
      json.writeStringField("stack", StackTraces.of(event.getThrowableProxy()));
      json.writeEndObject();
    }
  }
}
