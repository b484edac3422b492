package io.quiesce.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * logback's first configuration (found through {@code META-INF/services}, so no XML is parsed at
 * start-up): the settings of {@code QUIESCE_LOG_FORMAT} and {@code QUIESCE_LOG_LEVEL}, info by
 * default. A wrong value here is reported once on standard error and the defaults used, because a
 * library's first log call is no place to fail; the entry points then fail on it themselves.
 */
public final class EnvironmentConfigurator extends ContextAwareBase implements Configurator {

  /** Called by logback's service loader. */
  public EnvironmentConfigurator() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    // logback prints its own status lines to stdout when one is a warning: stdout carries only our
    // log lines (one JSON object each under QUIESCE_LOG_FORMAT=json), so its status is never
    // printed
    context.getStatusManager().add(new NopStatusListener());
    LogSettings settings;
    try {
      settings = LogSettings.fromEnv(System.getenv(), Level.INFO);
    } catch (InvalidLogSettingException e) {
      System.err.println("quiesce: " + e.getMessage() + "; logging text at info instead");
      settings = LogSettings.of(LogFormat.TEXT, Level.INFO);
    }
    QuiesceLogging.initial(context, settings);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
