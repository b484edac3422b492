package io.quiesce.schedule;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Status times as metav1.Time writes them: RFC 3339, UTC, whole seconds. */
final class ScheduleStatusTimes {

  private ScheduleStatusTimes() {}

  static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}
