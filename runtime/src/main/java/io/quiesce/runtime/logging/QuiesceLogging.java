package io.quiesce.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.OutputStream;
import org.slf4j.LoggerFactory;

/**
 * Configures the process's logs: logback, with {@link JsonLines} or {@link TextLines} as the
 * encoder and {@link LogSettings} as the levels. Every line goes to standard error: the command
 * lines print their results on standard output (scripts parse it, {@code --json}), so logs there
 * would corrupt it, and one rule for every mode is simpler; Kubernetes collects both streams alike,
 * and JSON lines carry their level themselves.
 *
 * <p>Until {@link #configure} is called the settings come from the environment ({@link
 * EnvironmentConfigurator}, info by default). The entry points call {@link #configure} first, so a
 * wrong value stops them at start-up with a message naming the variable.
 */
public final class QuiesceLogging {
  private static final String APPENDER = "quiesce";
  private static volatile LogSettings current;

  private QuiesceLogging() {}

  /**
   * Applies {@code settings} to every logger (those created already too), writing to standard
   * error.
   */
  public static void configure(LogSettings settings) {
    configure(settings, null);
  }

  /** Applies {@code settings}, writing to {@code out} (tests capture the lines this way). */
  public static synchronized void configure(LogSettings settings, OutputStream out) {
    apply(context(), settings, out);
    current = settings;
  }

  /** The settings in force. */
  public static LogSettings settings() {
    context(); // logback's first use configures it from the environment
    return current;
  }

  /**
   * The first settings, applied by logback's own initialisation ({@link EnvironmentConfigurator}).
   */
  static synchronized void initial(LoggerContext context, LogSettings settings) {
    apply(context, settings, null);
    current = settings;
  }

  /**
   * Replaces the root logger's appender and every level of {@code context} with those of {@code
   * settings}.
   */
  static void apply(LoggerContext context, LogSettings settings, OutputStream out) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    // levels set by an earlier configuration go back to inheriting from the root
    context
        .getLoggerList()
        .forEach(
            logger -> {
              if (logger != root) {
                logger.setLevel(null);
              }
            });
    root.setLevel(settings.level());
    settings.loggerLevels().forEach((name, level) -> context.getLogger(name).setLevel(level));
    if (settings.level() != Level.OFF || !settings.loggerLevels().isEmpty()) {
      root.addAppender(appender(context, settings.format(), out));
    }
  }

  private static OutputStreamAppender<ILoggingEvent> appender(
      LoggerContext context, LogFormat format, OutputStream out) {
    Encoder<ILoggingEvent> encoder =
        format == LogFormat.JSON ? JsonLines.encoder(context) : TextLines.encoder(context);
    OutputStreamAppender<ILoggingEvent> appender;
    if (out == null) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      appender = console;
    } else {
      appender = new OutputStreamAppender<>();
      appender.setOutputStream(out);
    }
    appender.setName(APPENDER);
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }
}
