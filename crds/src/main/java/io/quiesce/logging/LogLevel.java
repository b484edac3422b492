package io.quiesce.logging;

import java.util.Locale;

/** Severity of a log event, lowest first; {@link #OFF} (for thresholds only) logs nothing. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF;

    /** The level named {@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or {@code off}, any case. */
    static LogLevel parse(String name) {
        for (LogLevel level : values()) {
            if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                return level;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not one of trace, debug, info, warn, error, off");
    }

    /** The SLF4J level of the same name. */
    static LogLevel of(org.slf4j.event.Level level) {
        return valueOf(level.name());
    }

    /** True when an event of {@code event} level passes this threshold. */
    boolean admits(LogLevel event) {
        return this != OFF && event.ordinal() >= ordinal();
    }
}
