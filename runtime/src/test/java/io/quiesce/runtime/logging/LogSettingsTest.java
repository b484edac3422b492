package io.quiesce.runtime.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSettingsTest {

  private static LogSettings env(String format, String level) {
    java.util.HashMap<String, String> env = new java.util.HashMap<>();
    if (format != null) {
      env.put("QUIESCE_LOG_FORMAT", format);
    }
    if (level != null) {
      env.put("QUIESCE_LOG_LEVEL", level);
    }
    return LogSettings.fromEnv(env, Level.INFO);
  }

  @Test
  void unsetOrEmptyMeansTextAndTheCallersDefault() {
    assertThat(LogSettings.fromEnv(Map.of(), Level.OFF))
        .isEqualTo(LogSettings.of(LogFormat.TEXT, Level.OFF));
    assertThat(env("", " ")).isEqualTo(LogSettings.of(LogFormat.TEXT, Level.INFO));
  }

  @Test
  void theChartsValuesParseInAnyCase() {
    assertThat(env("json", "debug")).isEqualTo(LogSettings.of(LogFormat.JSON, Level.DEBUG));
    assertThat(env("TEXT", "Warn")).isEqualTo(LogSettings.of(LogFormat.TEXT, Level.WARN));
    for (String level : new String[] {"trace", "debug", "info", "warn", "error"}) {
      assertThat(env(null, level).level().levelStr).isEqualToIgnoringCase(level);
    }
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> env("yaml", null))
        .isInstanceOf(InvalidLogSettingException.class)
        .hasMessage("QUIESCE_LOG_FORMAT: 'yaml' is not one of text, json")
        .satisfies(
            e ->
                assertThat(((InvalidLogSettingException) e).variable())
                    .isEqualTo("QUIESCE_LOG_FORMAT"));
    assertThatThrownBy(() -> env(null, "verbose"))
        .isInstanceOf(InvalidLogSettingException.class)
        .hasMessageStartingWith(
            "QUIESCE_LOG_LEVEL: 'verbose' is not one of trace, debug, info, warn, error, off");
    assertThatThrownBy(() -> env(null, "info,io.fabric8"))
        .hasMessageContaining("'io.fabric8' is not <logger name>=<level>");
    assertThatThrownBy(() -> env(null, "info,io..x=debug"))
        .hasMessageStartingWith("QUIESCE_LOG_LEVEL:");
    assertThatThrownBy(() -> env(null, "info,io.fabric8=loud"))
        .hasMessageStartingWith("QUIESCE_LOG_LEVEL: 'loud'");
  }

  @Test
  void perLoggerLevelsApplyToTheLoggerAndItsChildrenOnly() {
    LogSettings settings = env(null, "info, io.fabric8=warn ,io.quiesce.freeze.FreezeEngine=trace");
    LoggerContext context = new LoggerContext();

    QuiesceLogging.apply(context, settings, new java.io.ByteArrayOutputStream());

    assertThat(settings.loggerLevels())
        .containsOnlyKeys("io.fabric8", "io.quiesce.freeze.FreezeEngine");
    assertThat(context.getLogger("io.fabric8.kubernetes.client.Config").getEffectiveLevel())
        .isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.fabric8").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.fabric8x.Other").getEffectiveLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.quiesce.freeze.FreezeEngine").getEffectiveLevel())
        .isEqualTo(Level.TRACE);
    assertThat(context.getLogger("io.quiesce.freeze.FreezeEngineConfig").getEffectiveLevel())
        .isEqualTo(Level.INFO);
  }

  @Test
  void aNewConfigurationDropsTheLevelsOfTheOldOne() {
    LoggerContext context = new LoggerContext();
    QuiesceLogging.apply(
        context, env(null, "info,io.fabric8=error"), new java.io.ByteArrayOutputStream());

    QuiesceLogging.apply(context, env(null, "debug"), new java.io.ByteArrayOutputStream());

    assertThat(context.getLogger("io.fabric8.kubernetes.client.Config").getEffectiveLevel())
        .isEqualTo(Level.DEBUG);
  }

  @Test
  void aCommandLineIgnoresTheServersLevelAndLogsOnlyWhenThePropertyAsks() {
    Map<String, String> podEnv = Map.of("QUIESCE_LOG_LEVEL", "info", "QUIESCE_LOG_FORMAT", "json");

    assertThat(LogSettings.forCommandLine(podEnv, null))
        .isEqualTo(LogSettings.of(LogFormat.JSON, Level.OFF));
    assertThat(LogSettings.forCommandLine(podEnv, "debug"))
        .isEqualTo(LogSettings.of(LogFormat.JSON, Level.DEBUG));
    assertThatThrownBy(() -> LogSettings.forCommandLine(Map.of(), "chatty"))
        .hasMessageStartingWith("-Dquiesce.log.level: 'chatty' is not one of");
  }
}
