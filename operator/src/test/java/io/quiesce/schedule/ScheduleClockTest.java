package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fire decision; expected slots are written down by hand from the hourly/daily expressions. */
class ScheduleClockTest {
  private static final Instant T10 = Instant.parse("2026-03-02T10:00:00Z");
  private static final Instant T11 = Instant.parse("2026-03-02T11:00:00Z");
  private static final Instant T12 = Instant.parse("2026-03-02T12:00:00Z");
  private static final Instant T13 = Instant.parse("2026-03-02T13:00:00Z");

  private static CronSchedule hourly() throws InvalidScheduleException {
    return CronSchedule.parse("0 * * * *", "UTC");
  }

  @Test
  void nothingDueBeforeTheNextSlot() throws Exception {
    var d = ScheduleClock.decide(hourly(), T10, T10.plusSeconds(3599), null, false, 100);
    assertThat(d.fire()).isEmpty();
    assertThat(d.missed()).isZero();
    assertThat(d.clock()).isEmpty();
    assertThat(d.next()).contains(T11);
  }

  @Test
  void theDueSlotFiresAndMovesTheClock() throws Exception {
    var d = ScheduleClock.decide(hourly(), T10, T11.plusSeconds(2), null, false, 100);
    assertThat(d.fire()).contains(T11);
    assertThat(d.missed()).isZero();
    assertThat(d.clock()).contains(T11);
    assertThat(d.next()).contains(T12);
  }

  @Test
  void afterDowntimeOnlyTheLatestSlotFiresInsideTheDeadline() throws Exception {
    var d = ScheduleClock.decide(hourly(), T10, T13.plusSeconds(60), 120L, false, 100);
    assertThat(d.fire()).contains(T13);
    assertThat(d.missed()).isEqualTo(2); // 11:00 and 12:00
    assertThat(d.clock()).contains(T13);
  }

  @Test
  void outsideTheDeadlineNothingFiresAndEverySlotIsMissed() throws Exception {
    var d = ScheduleClock.decide(hourly(), T10, T13.plusSeconds(121), 120L, false, 100);
    assertThat(d.fire()).isEmpty();
    assertThat(d.missed()).isEqualTo(3);
    assertThat(d.clock()).as("missed slots are counted once").contains(T13);
    assertThat(d.next()).contains(T13.plusSeconds(3600));
  }

  @Test
  void exactlyAtTheDeadlineStillFires() throws Exception {
    assertThat(ScheduleClock.decide(hourly(), T10, T11.plusSeconds(120), 120L, false, 100).fire())
        .contains(T11);
  }

  @Test
  void withoutADeadlineTheLatestSlotAlwaysFires() throws Exception {
    var d = ScheduleClock.decide(hourly(), T10, T13.plusSeconds(3000), null, false, 100);
    assertThat(d.fire()).contains(T13);
    assertThat(d.missed()).isEqualTo(2);
  }

  @Test
  void suspendedFiresNothingAndKeepsTheClock() throws Exception {
    var d = ScheduleClock.decide(hourly(), T10, T13.plusSeconds(5), 600L, true, 100);
    assertThat(d)
        .isEqualTo(
            new ScheduleClock.Decision(
                Optional.empty(), 0, false, Optional.empty(), Optional.empty()));
  }

  @Test
  void aLongOutageOfAFrequentScheduleIsCountedUpToTheLimit() throws Exception {
    CronSchedule everyMinute = CronSchedule.parse("* * * * *", "UTC");
    Instant since = Instant.parse("2026-01-01T00:00:00Z");
    Instant now = Instant.parse("2026-03-01T00:00:30Z"); // 59 days: 84,960 slots
    var d = ScheduleClock.decide(everyMinute, since, now, 60L, false, 500);
    assertThat(d.fire()).contains(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(d.missed()).isEqualTo(500);
    assertThat(d.missedAtLeast()).isTrue();
  }

  @Test
  void aClockAheadOfNowFiresNothing() throws Exception {
    var d = ScheduleClock.decide(hourly(), T12, T11.plusSeconds(10), null, false, 100);
    assertThat(d.fire()).isEmpty();
    assertThat(d.next()).contains(T13);
  }

  @Test
  void aDailyScheduleFindsItsSlotDaysBack() throws Exception {
    CronSchedule daily = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
    Instant since = Instant.parse("2026-01-10T01:30:00Z"); // 02:30 Berlin (CET, UTC+1)
    var d =
        ScheduleClock.decide(daily, since, Instant.parse("2026-01-14T12:00:00Z"), null, false, 100);
    assertThat(d.fire()).contains(Instant.parse("2026-01-14T01:30:00Z"));
    assertThat(d.missed()).isEqualTo(3); // 11th, 12th, 13th
  }
}
