package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationsTest {
  @Test
  void parsesAndFormatsAsGoDoes() {
    assertThat(GoDurations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(GoDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDurations.parse("2.5s")).isEqualTo(Duration.ofMillis(2500));
    assertThat(GoDurations.format(Duration.ofMinutes(5)))
        .isEqualTo("5m0s"); // as in KubeVirt's example body
    assertThat(GoDurations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(GoDurations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(GoDurations.format(Duration.ofSeconds(3661))).isEqualTo("1h1m1s");
    assertThatThrownBy(() -> GoDurations.parse("5 s")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDurations.parse("5d")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesEveryUnitAndCombination() {
    assertThat(GoDurations.parse("168h")).isEqualTo(Duration.ofDays(7));
    assertThat(GoDurations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDurations.parse("90s500ms")).isEqualTo(Duration.ofMillis(90_500));
    assertThat(GoDurations.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(GoDurations.parse("0")).isZero();
    assertThat(GoDurations.parsePositive("5s")).isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "s", "-5s", "5 s", "5d", "1e3s", "99999999999999999999h"})
  void rejectsWhatGoRejects(String text) {
    assertThatThrownBy(() -> GoDurations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void positiveMeansAboveZero() {
    assertThatThrownBy(() -> GoDurations.parsePositive("0s")).hasMessageContaining("above zero");
    assertThatThrownBy(() -> GoDurations.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
