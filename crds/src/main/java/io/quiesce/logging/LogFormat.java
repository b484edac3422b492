package io.quiesce.logging;

import java.util.Locale;

/** How each log event is written: a line for people, or one JSON object per line for log collectors. */
public enum LogFormat {
    TEXT(new TextLogFormatter()), JSON(new JsonLogFormatter());

    private final LogFormatter formatter;

    LogFormat(LogFormatter formatter) {
        this.formatter = formatter;
    }

    /** The formatter of this format. */
    LogFormatter formatter() {
        return formatter;
    }

    static LogFormat parse(String name) {
        for (LogFormat format : values()) {
            if (format.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not one of text, json");
    }
}
