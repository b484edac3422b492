package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schedule arithmetic against a table whose expected values were NOT produced by this code:
 * {@code hack/cron-oracle.py} (a minute-by-minute scan of real time with Python's zoneinfo, sharing
 * nothing with the Java side) filled them, and each DST row was checked by hand against the zone's
 * transition dates. Regenerate: {@code hack/cron-oracle.py < cases > cron-cases.tsv}.
 */
class CronScheduleTest {

  static Stream<Arguments> cases() throws IOException {
    try (InputStream in = CronScheduleTest.class.getResourceAsStream("/schedule/cron-cases.tsv")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<Arguments> rows =
          text.lines()
              .filter(l -> !l.isBlank() && !l.startsWith("#"))
              .map(l -> l.split("\t"))
              .map(c -> Arguments.of(c[0], c[1], c[2], Integer.parseInt(c[3]), c[4]))
              .toList();
      assertThat(rows).hasSizeGreaterThanOrEqualTo(40);
      return rows.stream();
    }
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' in {1} after {2}")
  @MethodSource("cases")
  void nextFiresMatchTheIndependentOracle(
      String cron, String zone, String from, int count, String expected)
      throws InvalidScheduleException {
    CronSchedule schedule = CronSchedule.parse(cron, zone);

    List<Instant> fires = schedule.next(Instant.parse(from), count);

    List<Instant> want =
        Arrays.stream(expected.split(" "))
            .map(OffsetDateTime::parse)
            .map(OffsetDateTime::toInstant)
            .toList();
    assertThat(fires).containsExactlyElementsOf(want);
  }

  @ParameterizedTest(name = "''{0}'' is rejected: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'' | schedule is empty",
        "* * * * | expected 5 fields",
        "* * * * * * | expected 5 fields",
        "60 * * * * | field \"minute\": value 60 out of range 0-59",
        "* 24 * * * | field \"hour\": value 24 out of range 0-23",
        "* * 0 * * | field \"day of month\": value 0 out of range 1-31",
        "* * 32 * * | field \"day of month\": value 32 out of range 1-31",
        "* * * 13 * | field \"month\": value 13 out of range 1-12",
        "* * * FOO * | field \"month\": invalid value \"FOO\"",
        "* * * * 8 | field \"day of week\": value 8 out of range 0-7",
        "* * * * MON-FOO | field \"day of week\": invalid value \"FOO\"",
        "5-1 * * * * | field \"minute\": range 5-1 starts after it ends",
        "*/0 * * * * | field \"minute\": step must be at least 1",
        "*/x * * * * | field \"minute\": invalid step \"x\"",
        "1,,2 * * * * | field \"minute\": empty list element",
        "? * * * * | field \"minute\": invalid value \"?\"",
        "1-2-3 * * * * | field \"minute\": too many '-'",
        "@every | unknown macro \"@every\"",
        "@fortnightly | unknown macro",
        "0 0 30 2 * | schedule never fires",
        "CRON_TZ=UTC 0 0 * * * | use spec.timeZone",
        "TZ=UTC 0 0 * * * | use spec.timeZone",
      })
  void invalidExpressionsNameTheBadPart(String cron, String message) {
    assertThatThrownBy(() -> CronSchedule.parse(cron, "UTC"))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining(message);
  }

  @Test
  void unknownTimeZoneIsRejected() {
    assertThatThrownBy(() -> CronSchedule.parse("@daily", "Europe/Atlantis"))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("unknown time zone \"Europe/Atlantis\"");
    assertThatThrownBy(() -> CronSchedule.parse("@daily", "CEST"))
        .isInstanceOf(InvalidScheduleException.class);
  }

  @Test
  void blankTimeZoneMeansUtc() throws InvalidScheduleException {
    assertThat(CronSchedule.parse("@daily", null).zone().getId()).isEqualTo("Z");
    assertThat(CronSchedule.parse("@daily", "").next(Instant.parse("2026-01-01T10:00:00Z"), 1))
        .containsExactly(Instant.parse("2026-01-02T00:00:00Z"));
  }

  @Test
  void lastFireBetweenFindsTheMissedSlot() throws InvalidScheduleException {
    CronSchedule hourly = CronSchedule.parse("@hourly", "UTC");

    assertThat(
            hourly.lastFireBetween(
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T03:30:00Z")))
        .contains(Instant.parse("2026-01-01T03:00:00Z"));
    assertThat(
            hourly.lastFireBetween(
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:59:00Z")))
        .isEmpty();
  }
}
