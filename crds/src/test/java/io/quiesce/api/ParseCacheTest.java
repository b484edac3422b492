package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParseCacheTest {

  @Test
  void aTextIsParsedOnceAndAMalformedOneThrowsEachTime() {
    AtomicInteger parses = new AtomicInteger();
    ParseCache<Duration> cache =
        new ParseCache<>(
            text -> {
              parses.incrementAndGet();
              return Duration.ofSeconds(Long.parseLong(text));
            });

    assertThat(cache.get("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(cache.get("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(parses).hasValue(1);
    assertThatThrownBy(() -> cache.get("x")).isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> cache.get("x")).isInstanceOf(NumberFormatException.class);
    assertThat(parses).hasValue(3);
  }

  @Test
  void goDurationsStillRefuseWhatTheyRefusedAfterAGoodParse() {
    assertThat(GoDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> GoDurations.parse("1h30"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDurations.parse("1h30"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
