package io.quiesce.freeze;

import java.time.Duration;

/**
 * Bounded exponential backoff: {@code initial}, doubled after every failed attempt, never above
 * {@code max}.
 *
 * @param initial wait after the first failed attempt
 * @param max the longest wait between two attempts
 */
public record Backoff(Duration initial, Duration max) {

  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, got " + initial + ", " + max);
    }
  }

  /** The wait after failed attempt number {@code failedAttempts} (1 for the first failure). */
  public Duration delayAfter(int failedAttempts) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts starts at 1");
    }
    // 2^30 times any sane initial is past max already; the cap keeps the shift from overflowing
    int doublings = Math.min(failedAttempts - 1, 30);
    Duration delay = initial.multipliedBy(1L << doublings);
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
