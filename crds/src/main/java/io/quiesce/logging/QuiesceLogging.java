package io.quiesce.logging;

import java.io.PrintStream;

/**
 * Configures the logs of the process. Every log line goes to standard error: the command lines print
 * their results on standard output (scripts parse it, {@code --json}), so logs there would corrupt it,
 * and one rule for every mode is simpler; Kubernetes collects both streams alike, and JSON lines carry
 * their level themselves.
 *
 * <p>Until {@link #configure} is called the settings come from the environment ({@link LogSettings#fromEnv},
 * info by default); a wrong value there is then reported once on standard error and the defaults used,
 * because a library's first log call is no place to fail. The entry points call {@link #configure}
 * first, so a wrong value stops them at start-up with a message naming the variable.
 */
public final class QuiesceLogging {
    private static final ThreadLocalMdcAdapter MDC = new ThreadLocalMdcAdapter();
    private static final QuiesceLoggerFactory FACTORY = new QuiesceLoggerFactory(fromEnvOrDefault(), System.err, MDC);

    private QuiesceLogging() {
    }

    /** Applies {@code settings} to every logger (those created already too), writing to standard error. */
    public static void configure(LogSettings settings) {
        configure(settings, System.err);
    }

    /** Applies {@code settings}, writing to {@code out} (tests capture the lines this way). */
    public static void configure(LogSettings settings, PrintStream out) {
        FACTORY.reconfigure(settings, out);
    }

    /** The settings in force. */
    public static LogSettings settings() {
        return FACTORY.settings();
    }

    static QuiesceLoggerFactory factory() {
        return FACTORY;
    }

    static ThreadLocalMdcAdapter mdc() {
        return MDC;
    }

    private static LogSettings fromEnvOrDefault() {
        try {
            return LogSettings.fromEnv(System.getenv(), LogLevel.INFO);
        } catch (InvalidLogSettingException e) {
            System.err.println("quiesce: " + e.getMessage() + "; logging text at info instead");
            return LogSettings.of(LogFormat.TEXT, LogLevel.INFO);
        }
    }
}
