package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void nearestRankOfUnsortedSamples() {
    List<Integer> samples = List.of(9, 1, 5, 3, 7, 2, 8, 4, 6, 10);
    assertThat(Percentiles.median(samples)).isEqualTo(5);
    assertThat(Percentiles.of(samples, 95)).isEqualTo(10);
    assertThat(Percentiles.of(samples, 90)).isEqualTo(9);
    assertThat(Percentiles.of(List.of(42L), 95)).isEqualTo(42);
  }

  @Test
  void rejectsNoSamplesAndBadRanks() {
    assertThatThrownBy(() -> Percentiles.median(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Percentiles.of(List.of(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Percentiles.of(List.of(1), 101))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
