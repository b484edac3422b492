package io.quiesce.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * Operator settings of the schedule reconciler.
 *
 * @param maxRequeueDelay the longest a schedule waits between reconciles, even when its next fire
 *     is further away (guards against clock jumps and lost timers; tests make it short so a moved
 *     test clock is noticed quickly)
 * @param missedCountLimit missed slots counted one by one after an outage; beyond, "at least" is
 *     reported
 * @param apiTimeout timeout of the reconciler's own raw API calls (retention deletes)
 * @param snapshotChangeSpacing the least time between two reconciles of a schedule that its
 *     snapshots' changes cause (its status.active, lastSuccessfulTime and retention lag them by as
 *     much; fires and spec edits do not wait): a fire's snapshots change thousands of times
 */
public record ScheduleSettings(
    Duration maxRequeueDelay,
    int missedCountLimit,
    Duration apiTimeout,
    Duration snapshotChangeSpacing) {

  public ScheduleSettings {
    Objects.requireNonNull(maxRequeueDelay);
    Objects.requireNonNull(apiTimeout);
    Objects.requireNonNull(snapshotChangeSpacing);
    if (maxRequeueDelay.isNegative() || maxRequeueDelay.isZero()) {
      throw new IllegalArgumentException("maxRequeueDelay must be positive");
    }
    if (missedCountLimit < 1) {
      throw new IllegalArgumentException("missedCountLimit must be at least 1");
    }
  }

  /**
   * Production defaults: wake at least every 5 minutes, count up to 10,000 missed slots, 10 s API
   * timeout, snapshots' changes seen once a second at most.
   */
  public static ScheduleSettings defaults() {
    return new ScheduleSettings(
        Duration.ofMinutes(5), 10_000, Duration.ofSeconds(10), Duration.ofSeconds(1));
  }

  /** The same with another {@code maxRequeueDelay}. */
  public ScheduleSettings withMaxRequeueDelay(Duration delay) {
    return new ScheduleSettings(delay, missedCountLimit, apiTimeout, snapshotChangeSpacing);
  }

  /** The same with another {@code snapshotChangeSpacing}. */
  public ScheduleSettings withSnapshotChangeSpacing(Duration spacing) {
    return new ScheduleSettings(maxRequeueDelay, missedCountLimit, apiTimeout, spacing);
  }
}
