package io.quiesce.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, from the clock kept in a schedule's status, whether a fire is due now. Pure: no API, no
 * wall clock.
 *
 * <p>The rule, as for Kubernetes CronJobs: every slot between the schedule's clock (its {@code
 * lastScheduleTime}, or its creation) and now is due. At most one of them fires: the latest, and
 * only while it is inside {@code startingDeadlineSeconds} (no deadline: always). Every other due
 * slot is missed. The clock then moves to the latest due slot, fired or missed, so a missed slot is
 * counted once and never fired later. While suspended nothing fires and the clock stays, so on
 * resume the same rule decides about the slots passed meanwhile: one catch-up fire inside the
 * deadline.
 */
public final class ScheduleClock {

  private ScheduleClock() {}

  /**
   * What to do now.
   *
   * @param fire the slot to fire now, if any
   * @param missed due slots that will not fire (at least this many when {@code missedAtLeast})
   * @param missedAtLeast true when counting stopped at the limit
   * @param clock the schedule's new clock ({@code lastScheduleTime}); empty: leave it as it is
   * @param next the next slot after now; empty while suspended or when the schedule never fires
   *     again
   */
  public record Decision(
      Optional<Instant> fire,
      long missed,
      boolean missedAtLeast,
      Optional<Instant> clock,
      Optional<Instant> next) {}

  /**
   * @param cron the parsed schedule
   * @param since the schedule's clock: {@code status.lastScheduleTime}, or its creation time
   * @param now the present
   * @param deadlineSeconds {@code startingDeadlineSeconds}, null for none
   * @param suspended {@code spec.suspend}
   * @param countLimit at most this many missed slots are counted one by one (bounds the work after
   *     a long outage of a frequent schedule)
   */
  public static Decision decide(
      CronSchedule cron,
      Instant since,
      Instant now,
      Long deadlineSeconds,
      boolean suspended,
      int countLimit) {
    Objects.requireNonNull(since);
    if (suspended) {
      return new Decision(Optional.empty(), 0, false, Optional.empty(), Optional.empty());
    }
    Optional<Instant> next = cron.nextAfter(since.isAfter(now) ? since : now);
    Optional<Instant> latest = latestDue(cron, since, now);
    if (latest.isEmpty()) {
      return new Decision(Optional.empty(), 0, false, Optional.empty(), next);
    }
    long earlier = 0;
    Instant cursor = since;
    while (earlier < countLimit) {
      Optional<Instant> slot = cron.nextAfter(cursor);
      if (slot.isEmpty() || !slot.get().isBefore(latest.get())) {
        break;
      }
      earlier++;
      cursor = slot.get();
    }
    boolean atLeast =
        earlier >= countLimit
            && cron.nextAfter(cursor).map(s -> s.isBefore(latest.get())).orElse(false);
    boolean tooLate =
        deadlineSeconds != null && latest.get().plusSeconds(deadlineSeconds).isBefore(now);
    return tooLate
        ? new Decision(Optional.empty(), earlier + 1, atLeast, latest, next)
        : new Decision(latest, earlier, atLeast, latest, next);
  }

  /**
   * The latest slot in {@code (since, now]}, searched backwards from now in growing windows, so a
   * frequent schedule after a long outage costs a few steps, not one per missed slot.
   */
  static Optional<Instant> latestDue(CronSchedule cron, Instant since, Instant now) {
    if (!since.isBefore(now)) {
      return Optional.empty();
    }
    Duration window = Duration.ofHours(1);
    while (true) {
      Instant from = now.minus(window);
      if (!from.isAfter(since)) {
        return cron.lastFireBetween(since, now);
      }
      Optional<Instant> found = cron.lastFireBetween(from, now);
      if (found.isPresent()) {
        return found;
      }
      window = window.multipliedBy(4);
    }
  }
}
