package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationArgumentTest {

  @ParameterizedTest
  @CsvSource({"500ms, 500", "5s, 5000", "1m, 60000", "10m, 600000", "1ms, 1"})
  void readsMillisecondsSecondsAndMinutes(String text, long millis) {
    assertThat(DurationArgument.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "5", "s", "-5s", "5 s", "1.5s", "5S", "PT5S", "5sec", "99999999s", "0ms"})
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> DurationArgument.parse(text)).isInstanceOf(UsageException.class);
  }
}
