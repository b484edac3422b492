package io.quiesce.logging;

import java.util.Map;

/**
 * For people: {@code 2026-03-28T02:30:00.123Z INFO  [thread] logger - message {key=value, ...}}.
 * Control characters in the message, thread and MDC are escaped, so a value that came from outside
 * (an object name, an agent's reply) can never start a forged line; an exception's stack trace
 * follows on lines that all start with a tab, so every line that does not is the start of an event.
 */
final class TextLogFormatter implements LogFormatter {

    @Override
    public String format(LogEvent event) {
        StringBuilder line = new StringBuilder(160);
        line.append(TIMESTAMP.format(event.time())).append(' ');
        String level = event.level().name();
        line.append(level).append(" ".repeat(Math.max(0, 5 - level.length())));
        line.append(" [");
        escape(event.thread(), line);
        line.append("] ").append(event.logger()).append(" - ");
        escape(event.message(), line);
        if (!event.mdc().isEmpty()) {
            line.append(" {");
            String separator = "";
            for (Map.Entry<String, String> entry : event.mdc().entrySet()) {
                line.append(separator);
                escape(entry.getKey(), line);
                line.append('=');
                escape(entry.getValue(), line);
                separator = ", ";
            }
            line.append('}');
        }
        line.append('\n');
        if (event.error() != null) {
            for (String traceLine : LogFormatter.stackTrace(event.error()).split("\\R")) {
                line.append('\t').append(traceLine).append('\n');
            }
        }
        return line.toString();
    }

    /** Appends {@code value} with control characters (and the Unicode line separators) written as escapes. */
    static void escape(String value, StringBuilder out) {
        if (value == null) {
            out.append("null");
            return;
        }
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
    }
}
