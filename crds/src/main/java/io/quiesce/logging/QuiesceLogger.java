package io.quiesce.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A named logger; its threshold is set by {@link QuiesceLoggerFactory} and may change at run time. */
final class QuiesceLogger extends LegacyAbstractLogger {
    private final transient QuiesceLoggerFactory factory;
    private volatile LogLevel threshold;

    QuiesceLogger(String name, LogLevel threshold, QuiesceLoggerFactory factory) {
        this.name = name;
        this.threshold = threshold;
        this.factory = factory;
    }

    void threshold(LogLevel threshold) {
        this.threshold = threshold;
    }

    @Override
    public boolean isTraceEnabled() {
        return threshold.admits(LogLevel.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return threshold.admits(LogLevel.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return threshold.admits(LogLevel.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return threshold.admits(LogLevel.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return threshold.admits(LogLevel.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        String message = arguments == null || arguments.length == 0 ? pattern
                : MessageFormatter.basicArrayFormat(pattern, arguments);
        factory.write(LogLevel.of(level), name, message, throwable);
    }
}
