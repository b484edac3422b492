package io.quiesce.window;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoDurationTest {

    @Test
    void parsesTheFormsTheApiAllows() {
        assertThat(GoDuration.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(GoDuration.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("2.5s")).isEqualTo(Duration.ofMillis(2500));
        assertThat(GoDuration.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(GoDuration.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "-5s", "0s", "5 s", "5d", "1e3s", "99999999999999999999h"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
