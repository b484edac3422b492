package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static final String SCRAPE =
      """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="Eden Space"} 1048576.0
            jvm_memory_used_bytes{area="heap",id="Tenured Gen"} 2097152.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
            jvm_memory_used_bytes_other{area="heap"} 99
            quiesce_up 1
            """;

  @Test
  void sumsTheSamplesWithTheLabel() {
    assertThat(PrometheusText.sum(SCRAPE, "jvm_memory_used_bytes", "area", "heap"))
        .isEqualTo(3145728.0);
    assertThat(PrometheusText.sum(SCRAPE, "jvm_memory_used_bytes", "area", "nonheap"))
        .isEqualTo(5.0E7);
  }

  @Test
  void failsWhenNothingMatches() {
    assertThatThrownBy(
            () -> PrometheusText.sum("quiesce_up 1\n", "jvm_memory_used_bytes", "area", "heap"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
