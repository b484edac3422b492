package io.quiesce.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of the benchmark's table: a figure for Quiesce next to its baseline measured in the same
 * run (null when the figure has none).
 *
 * @param phase {@code freeze-window}, {@code scale} or {@code footprint}
 * @param figure what is measured, with its unit
 * @param quiesce the value measured for Quiesce
 * @param baseline the baseline's value, or null
 * @param note how it was measured, briefly
 */
public record BenchRow(String phase, String figure, double quiesce, Double baseline, String note) {

  /** {@code quiesce / baseline}, or null without a baseline. */
  @JsonProperty(value = "ratio", access = JsonProperty.Access.READ_ONLY)
  public Double ratio() {
    return baseline == null || baseline == 0 ? null : quiesce / baseline;
  }
}
