package io.quiesce.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesUpToItsMaximumWithoutOverflowing() {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1));

    assertThat(backoff.delayAfter(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delayAfter(2)).isEqualTo(Duration.ofMillis(400));
    assertThat(backoff.delayAfter(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.delayAfter(4)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void refusesAMaximumBelowTheFirstWait() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
