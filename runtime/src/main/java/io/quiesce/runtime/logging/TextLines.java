package io.quiesce.runtime.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.pattern.CompositeConverter;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * For people, logback's pattern layout: {@code 2026-03-28T02:30:00.123Z INFO [thread] logger -
 * message {key=value, ...}}. Control characters in the message, thread and MDC are escaped ({@code
 * %escMsg}, {@code %esc}, {@code %escMdc}), so a value that came from outside (an object name, an
 * agent's reply) can never start a forged line; an exception's stack trace follows on lines that
 * all start with a tab ({@code %tabbedStack}), so every line that does not is the start of an
 * event.
 */
final class TextLines {
  // no composite "%x(...)" directly before a "%": logback 1.5 then prints the rest of the pattern
  // literally
  static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level [%esc(%thread)] %logger - %escMsg%escMdc%n%tabbedStack";

  private TextLines() {}

  static Encoder<ILoggingEvent> encoder(Context context) {
    PatternLayout layout = new PatternLayout();
    layout.getInstanceConverterMap().put("esc", Escaped::new);
    layout.getInstanceConverterMap().put("escMsg", EscapedMessage::new);
    layout.getInstanceConverterMap().put("escMdc", EscapedMdc::new);
    layout.getInstanceConverterMap().put("tabbedStack", TabbedStack::new);
    layout.setPattern(PATTERN);
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setLayout(layout);
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }

  /** {@code value} with control characters (and the Unicode line separators) written as escapes. */
  static String escape(String value) {
    StringBuilder out = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** {@code %esc(...)}: its child's text with control characters escaped. */
  static final class Escaped extends CompositeConverter<ILoggingEvent> {
    @Override
    protected String transform(ILoggingEvent event, String in) {
      return escape(in);
    }
  }

  /** {@code %escMsg}: the message, escaped. */
  static final class EscapedMessage extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
      return escape(String.valueOf(event.getFormattedMessage()));
    }
  }

  /**
   * {@code %escMdc}: {@code " {key=value, ...}"}, keys sorted, escaped; nothing when the MDC is
   * empty.
   */
  static final class EscapedMdc extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc == null || mdc.isEmpty()) {
        return "";
      }
      StringJoiner pairs = new StringJoiner(", ", " {", "}");
      new TreeMap<>(mdc)
          .forEach((key, value) -> pairs.add(escape(key) + "=" + escape(String.valueOf(value))));
      return pairs.toString();
    }
  }

  /**
   * {@code %tabbedStack}: the event's exception (cut as in JSON lines), each line starting with a
   * tab.
   */
  static final class TabbedStack extends ThrowableHandlingConverter {
    @Override
    public String convert(ILoggingEvent event) {
      if (event.getThrowableProxy() == null) {
        return "";
      }
      StringBuilder out = new StringBuilder();
      for (String line : StackTraces.of(event.getThrowableProxy()).split("\\R")) {
        out.append('\t').append(line).append('\n');
      }
      return out.toString();
    }
  }
}
