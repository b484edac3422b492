package io.quiesce.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        return LogSettings.fromEnv(env, LogLevel.INFO);
    }

    @Test
    void unsetOrEmptyMeansTextAndTheCallersDefault() {
        assertThat(LogSettings.fromEnv(Map.of(), LogLevel.OFF)).isEqualTo(LogSettings.of(LogFormat.TEXT, LogLevel.OFF));
        assertThat(env("", " ")).isEqualTo(LogSettings.of(LogFormat.TEXT, LogLevel.INFO));
    }

    @Test
    void theChartsValuesParseInAnyCase() {
        assertThat(env("json", "debug")).isEqualTo(LogSettings.of(LogFormat.JSON, LogLevel.DEBUG));
        assertThat(env("TEXT", "Warn")).isEqualTo(LogSettings.of(LogFormat.TEXT, LogLevel.WARN));
        for (String level : new String[] {"trace", "debug", "info", "warn", "error"}) {
            assertThat(env(null, level).level().name()).isEqualToIgnoringCase(level);
        }
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> env("yaml", null)).isInstanceOf(InvalidLogSettingException.class)
                .hasMessage("QUIESCE_LOG_FORMAT: 'yaml' is not one of text, json")
                .satisfies(e -> assertThat(((InvalidLogSettingException) e).variable()).isEqualTo("QUIESCE_LOG_FORMAT"));
        assertThatThrownBy(() -> env(null, "verbose")).isInstanceOf(InvalidLogSettingException.class)
                .hasMessageStartingWith("QUIESCE_LOG_LEVEL: 'verbose' is not one of trace, debug, info, warn, error, off");
        assertThatThrownBy(() -> env(null, "info,io.fabric8")).hasMessageContaining("'io.fabric8' is not <logger name>=<level>");
        assertThatThrownBy(() -> env(null, "info,io..x=debug")).hasMessageStartingWith("QUIESCE_LOG_LEVEL:");
        assertThatThrownBy(() -> env(null, "info,io.fabric8=loud")).hasMessageStartingWith("QUIESCE_LOG_LEVEL: 'loud'");
    }

    @Test
    void perLoggerLevelsApplyToTheLoggerAndItsChildrenOnly() {
        LogSettings settings = env(null, "info, io.fabric8=warn ,io.quiesce.freeze.FreezeEngine=trace");

        assertThat(settings.levelOf("io.fabric8.kubernetes.client.Config")).isEqualTo(LogLevel.WARN);
        assertThat(settings.levelOf("io.fabric8")).isEqualTo(LogLevel.WARN);
        assertThat(settings.levelOf("io.fabric8x.Other")).isEqualTo(LogLevel.INFO);
        assertThat(settings.levelOf("io.quiesce.freeze.FreezeEngine")).isEqualTo(LogLevel.TRACE);
        assertThat(settings.levelOf("io.quiesce.freeze.FreezeEngineConfig")).isEqualTo(LogLevel.INFO);
        assertThat(settings.levelOf("")).isEqualTo(LogLevel.INFO);
    }

    @Test
    void thresholdsAdmitTheirLevelAndAbove() {
        assertThat(LogLevel.WARN.admits(LogLevel.ERROR)).isTrue();
        assertThat(LogLevel.WARN.admits(LogLevel.WARN)).isTrue();
        assertThat(LogLevel.WARN.admits(LogLevel.INFO)).isFalse();
        assertThat(LogLevel.OFF.admits(LogLevel.ERROR)).isFalse();
    }

    @Test
    void aCommandLineIgnoresTheServersLevelAndLogsOnlyWhenThePropertyAsks() {
        Map<String, String> podEnv = Map.of("QUIESCE_LOG_LEVEL", "info", "QUIESCE_LOG_FORMAT", "json");

        assertThat(LogSettings.forCommandLine(podEnv, null)).isEqualTo(LogSettings.of(LogFormat.JSON, LogLevel.OFF));
        assertThat(LogSettings.forCommandLine(podEnv, "debug")).isEqualTo(LogSettings.of(LogFormat.JSON, LogLevel.DEBUG));
        assertThatThrownBy(() -> LogSettings.forCommandLine(Map.of(), "chatty"))
                .hasMessageStartingWith("-Dquiesce.log.level: 'chatty' is not one of");
    }
}
