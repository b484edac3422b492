package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationsTest {
    @Test
    void parsesAndFormatsAsGoDoes() {
        assertThat(GoDurations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDurations.parse("2.5s")).isEqualTo(Duration.ofMillis(2500));
        assertThat(GoDurations.format(Duration.ofMinutes(5))).isEqualTo("5m0s"); // as in KubeVirt's example body
        assertThat(GoDurations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(GoDurations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(GoDurations.format(Duration.ofSeconds(3661))).isEqualTo("1h1m1s");
        assertThatThrownBy(() -> GoDurations.parse("5 s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GoDurations.parse("5d")).isInstanceOf(IllegalArgumentException.class);
    }
}
