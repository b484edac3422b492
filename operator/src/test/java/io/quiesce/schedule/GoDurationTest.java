package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void parsesGoDurations() {
        assertThat(GoDuration.parse("168h")).isEqualTo(Duration.ofDays(7));
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("90s500ms")).isEqualTo(Duration.ofMillis(90_500));
    }

    @Test
    void rejectsWhatGoRejectsOrWeDoNotTake() {
        for (String bad : new String[] {"7d", "", "h", "1 h", "-1h", "1h 30m"}) {
            assertThatThrownBy(() -> GoDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> GoDuration.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
