package io.quiesce.logging;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/**
 * Hands out the loggers and writes their events: one {@link LogFormatter} output per event, written
 * whole under a lock so lines of concurrent threads never interleave.
 */
final class QuiesceLoggerFactory implements ILoggerFactory {
    private final Map<String, QuiesceLogger> loggers = new ConcurrentHashMap<>();
    private final ThreadLocalMdcAdapter mdc;
    private final Clock clock = Clock.systemUTC();
    private volatile LogSettings settings;
    private volatile PrintStream out;

    QuiesceLoggerFactory(LogSettings settings, PrintStream out, ThreadLocalMdcAdapter mdc) {
        this.settings = settings;
        this.out = out;
        this.mdc = mdc;
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new QuiesceLogger(n, settings.levelOf(n), this));
    }

    /** Applies new settings to every logger, existing ones included. */
    synchronized void reconfigure(LogSettings newSettings, PrintStream newOut) {
        this.settings = newSettings;
        this.out = newOut;
        loggers.values().forEach(logger -> logger.threshold(newSettings.levelOf(logger.getName())));
    }

    LogSettings settings() {
        return settings;
    }

    void write(LogLevel level, String logger, String message, Throwable error) {
        LogEvent event = new LogEvent(clock.instant(), level, logger, Thread.currentThread().getName(),
                String.valueOf(message), mdc.getCopyOfContextMap(), error);
        String text = settings.format().formatter().format(event);
        PrintStream target = out;
        synchronized (target) {
            target.print(text);
            target.flush();
        }
    }
}
