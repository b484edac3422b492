package io.quiesce.runtime.logging;

import ch.qos.logback.classic.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Format and thresholds of the process's logs, as the chart sets them: {@code QUIESCE_LOG_FORMAT}
 * ({@code text} | {@code json}, default text) and {@code QUIESCE_LOG_LEVEL} (a level, optionally
 * followed by per-logger levels: {@code info,io.fabric8=warn,io.quiesce.freeze=debug}).
 *
 * @param format how events are written
 * @param level threshold of every logger without its own
 * @param loggerLevels thresholds of loggers and their children (logback's logger hierarchy: by
 *     package or class name)
 */
public record LogSettings(LogFormat format, Level level, Map<String, Level> loggerLevels) {
  public static final String FORMAT_VARIABLE = "QUIESCE_LOG_FORMAT";
  public static final String LEVEL_VARIABLE = "QUIESCE_LOG_LEVEL";

  /**
   * The system property that turns a command line's logs on, e.g. {@code
   * -Dquiesce.log.level=debug}.
   */
  public static final String COMMAND_LINE_LEVEL_PROPERTY = "quiesce.log.level";

  private static final List<Level> LEVELS =
      List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR, Level.OFF);
  private static final Pattern LOGGER_NAME =
      Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");

  public LogSettings {
    loggerLevels = Map.copyOf(loggerLevels);
  }

  /** Text at {@code level}, no per-logger levels. */
  public static LogSettings of(LogFormat format, Level level) {
    return new LogSettings(format, level, Map.of());
  }

  /**
   * Reads the two variables; an unset or empty one takes its default.
   *
   * @param defaultLevel the level when {@code QUIESCE_LOG_LEVEL} is unset
   * @throws InvalidLogSettingException naming the variable whose value is wrong
   */
  public static LogSettings fromEnv(Map<String, String> env, Level defaultLevel) {
    return parse(env.get(FORMAT_VARIABLE), env.get(LEVEL_VARIABLE), LEVEL_VARIABLE, defaultLevel);
  }

  /**
   * The settings of a command line ({@code agent ...}, {@code schedule preview}): the format from
   * {@code QUIESCE_LOG_FORMAT}, but no logs unless the system property {@value
   * #COMMAND_LINE_LEVEL_PROPERTY} asks for them. A command line promises one line on standard error
   * when it fails, and inside a pod {@code QUIESCE_LOG_LEVEL} is the server's setting, not the
   * command's.
   *
   * @param levelProperty the property's value, or null
   */
  public static LogSettings forCommandLine(Map<String, String> env, String levelProperty) {
    return parse(
        env.get(FORMAT_VARIABLE), levelProperty, "-D" + COMMAND_LINE_LEVEL_PROPERTY, Level.OFF);
  }

  private static LogSettings parse(
      String formatValue, String levelValue, String levelSource, Level defaultLevel) {
    LogFormat format = LogFormat.TEXT;
    if (formatValue != null && !formatValue.isBlank()) {
      try {
        format = LogFormat.parse(formatValue);
      } catch (IllegalArgumentException e) {
        throw new InvalidLogSettingException(FORMAT_VARIABLE, e.getMessage());
      }
    }
    if (levelValue == null || levelValue.isBlank()) {
      return of(format, defaultLevel);
    }
    String[] parts = levelValue.split(",", -1);
    Level level;
    Map<String, Level> loggers = new LinkedHashMap<>();
    try {
      level = parseLevel(parts[0]);
      for (int i = 1; i < parts.length; i++) {
        String[] pair = parts[i].split("=", -1);
        String logger = pair[0].trim();
        if (pair.length != 2 || !LOGGER_NAME.matcher(logger).matches()) {
          throw new IllegalArgumentException(
              "'" + parts[i].trim() + "' is not <logger name>=<level>");
        }
        loggers.put(logger, parseLevel(pair[1]));
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidLogSettingException(
          levelSource,
          e.getMessage() + " (expected a level, then optional ,<logger>=<level> pairs)");
    }
    return new LogSettings(format, level, loggers);
  }

  /**
   * The level named {@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or
   * {@code off}, any case.
   */
  static Level parseLevel(String name) {
    for (Level level : LEVELS) {
      if (level.levelStr.equals(name.trim().toUpperCase(Locale.ROOT))) {
        return level;
      }
    }
    throw new IllegalArgumentException(
        "'" + name + "' is not one of trace, debug, info, warn, error, off");
  }
}
