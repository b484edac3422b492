package io.quiesce.bench;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of a benchmark's samples. */
public final class Percentiles {

  private Percentiles() {}

  /**
   * The nearest-rank {@code p}-th percentile (0 &lt; p &le; 100) of the samples.
   *
   * @throws IllegalArgumentException when there are no samples or {@code p} is out of range
   */
  public static double of(List<? extends Number> samples, double p) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    double[] sorted = samples.stream().mapToDouble(Number::doubleValue).toArray();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The median (nearest rank). */
  public static double median(List<? extends Number> samples) {
    return of(samples, 50);
  }
}
