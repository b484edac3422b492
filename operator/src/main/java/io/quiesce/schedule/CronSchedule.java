package io.quiesce.schedule;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.stream.Collectors;
import org.quartz.CronExpression;

/**
 * A Kubernetes CronJob-style schedule (5 fields or a macro) in an IANA time zone.
 *
 * <p>Quartz's {@link CronExpression} does the calendar arithmetic, on wall-clock time (Quartz runs
 * in UTC here, where no clock ever jumps). The time zone is applied afterwards, by one explicit
 * rule, because Quartz's own DST handling drops fires (a 02:30 job on a spring-forward day never
 * runs, and the first pass of a repeated hour is skipped):
 *
 * <ul>
 *   <li>every wall-clock time the expression matches fires exactly once;
 *   <li>a time that happens twice (clocks go back) fires at its first occurrence;
 *   <li>a time that does not exist (clocks go forward) fires when the clocks jump, at the first
 *       instant after the gap; several such times fire once.
 * </ul>
 *
 * So a nightly backup never runs twice and is never lost on a DST change.
 *
 * <p>Day fields follow classic cron (and Kubernetes): when both day-of-month and day-of-week are
 * restricted, a day matching either fires; when either is an unstepped wildcard, both must match.
 */
public final class CronSchedule {
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  /** Longer than any DST overlap, so a search from here never misses the first occurrence. */
  private static final Duration LOOK_BACK = Duration.ofHours(3);

  /** Long enough for Feb 29 on a given weekday-or-day pattern (leap years skip at centuries). */
  private static final Duration HORIZON = Duration.ofDays(366L * 9);

  private final String expression;
  private final ZoneId zone;
  private final List<CronExpression> quartz;

  private CronSchedule(String expression, ZoneId zone, List<CronExpression> quartz) {
    this.expression = expression;
    this.zone = zone;
    this.quartz = quartz;
  }

  /**
   * Parses a schedule.
   *
   * @param expression 5-field cron or macro, e.g. {@code 30 2 * * MON-FRI} or {@code @daily}
   * @param timeZone IANA zone name; {@code null} or blank means UTC
   * @throws InvalidScheduleException naming the bad field or macro ({@link
   *     InvalidTimeZoneException} for the zone)
   */
  public static CronSchedule parse(String expression, String timeZone)
      throws InvalidScheduleException {
    ZoneId zone = zone(timeZone);
    if (expression == null || expression.isBlank()) {
      throw new InvalidScheduleException("schedule is empty");
    }
    String text = expression.trim();
    if (text.startsWith("TZ=") || text.startsWith("CRON_TZ=")) {
      throw new InvalidScheduleException(
          "time zones in the schedule are not supported; use spec.timeZone");
    }
    if (text.startsWith("@")) {
      String expanded = MACROS.get(text.toLowerCase(java.util.Locale.ROOT));
      if (expanded == null) {
        throw new InvalidScheduleException(
            "unknown macro \""
                + text
                + "\" (known: "
                + MACROS.keySet().stream().sorted().collect(Collectors.joining(" "))
                + ")");
      }
      text = expanded;
    }
    String[] fields = text.split("\\s+");
    if (fields.length != 5) {
      throw new InvalidScheduleException(
          "expected 5 fields (minute hour day-of-month month day-of-week), got " + fields.length);
    }
    CronField.Values minute = CronField.MINUTE.parse(fields[0]);
    CronField.Values hour = CronField.HOUR.parse(fields[1]);
    CronField.Values dom = CronField.DAY_OF_MONTH.parse(fields[2]);
    CronField.Values month = CronField.MONTH.parse(fields[3]);
    CronField.Values dow = CronField.DAY_OF_WEEK.parse(fields[4]);

    String head =
        "0 " + quartzList(minute.set(), 0, 59) + " " + quartzList(hour.set(), 0, 23) + " ";
    String monthPart = quartzList(month.set(), 1, 12);
    List<String> quartzTexts = new ArrayList<>();
    if (dom.star() && dow.star()) {
      quartzTexts.add(head + "* " + monthPart + " ?");
    } else if (dom.star()) {
      quartzTexts.add(head + "? " + monthPart + " " + quartzWeekdays(dow.set()));
    } else if (dow.star()) {
      quartzTexts.add(head + quartzList(dom.set(), 1, 31) + " " + monthPart + " ?");
    } else { // both restricted: either matches, which one Quartz expression cannot say
      quartzTexts.add(head + quartzList(dom.set(), 1, 31) + " " + monthPart + " ?");
      quartzTexts.add(head + "? " + monthPart + " " + quartzWeekdays(dow.set()));
    }
    List<CronExpression> compiled = new ArrayList<>();
    for (String q : quartzTexts) {
      try {
        CronExpression ce = new CronExpression(q);
        ce.setTimeZone(TimeZone.getTimeZone(ZoneOffset.UTC));
        compiled.add(ce);
      } catch (ParseException e) {
        throw new InvalidScheduleException("cannot translate schedule: " + e.getMessage());
      }
    }
    CronSchedule schedule = new CronSchedule(expression, zone, List.copyOf(compiled));
    if (schedule.nextLocal(LocalDateTime.of(2000, 1, 1, 0, 0)).isEmpty()) {
      throw new InvalidScheduleException("schedule never fires (no such day, e.g. 30 February)");
    }
    return schedule;
  }

  private static ZoneId zone(String timeZone) throws InvalidScheduleException {
    if (timeZone == null || timeZone.isBlank()) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(timeZone, Map.of());
    } catch (DateTimeException e) {
      throw new InvalidTimeZoneException(
          "unknown time zone \"" + timeZone + "\" (use an IANA name such as Europe/Berlin)");
    }
  }

  private static String quartzList(BitSet set, int min, int max) {
    if (set.cardinality() == max - min + 1) {
      return "*";
    }
    return set.stream().mapToObj(Integer::toString).collect(Collectors.joining(","));
  }

  /** cron counts weekdays 0 (Sunday) to 6; Quartz 1 (Sunday) to 7. */
  private static String quartzWeekdays(BitSet cron) {
    if (cron.cardinality() == 7) {
      return "*";
    }
    return cron.stream()
        .map(d -> d + 1)
        .mapToObj(Integer::toString)
        .collect(Collectors.joining(","));
  }

  /** The expression as written. */
  public String expression() {
    return expression;
  }

  /** The time zone fires are computed in. */
  public ZoneId zone() {
    return zone;
  }

  /** The first fire strictly after {@code after}, if the schedule fires again at all. */
  public Optional<Instant> nextAfter(Instant after) {
    ZoneRules rules = zone.getRules();
    LocalDateTime cursor = LocalDateTime.ofInstant(after, zone).minus(LOOK_BACK);
    LocalDateTime limit = cursor.plus(HORIZON);
    while (true) {
      Optional<LocalDateTime> local = nextLocal(cursor);
      if (local.isEmpty() || local.get().isAfter(limit)) {
        return Optional.empty();
      }
      Instant fire = toInstant(local.get(), rules);
      if (fire.isAfter(after)) {
        return Optional.of(fire);
      }
      cursor = local.get();
    }
  }

  /** The next {@code count} fires strictly after {@code after}. */
  public List<Instant> next(Instant after, int count) {
    List<Instant> fires = new ArrayList<>(count);
    Instant cursor = after;
    while (fires.size() < count) {
      Optional<Instant> next = nextAfter(cursor);
      if (next.isEmpty()) {
        break;
      }
      fires.add(next.get());
      cursor = next.get();
    }
    return fires;
  }

  /** The latest fire at or before {@code atOrBefore} and after {@code notBefore}, if any. */
  public Optional<Instant> lastFireBetween(Instant notBefore, Instant atOrBefore) {
    Instant last = null;
    Instant cursor = notBefore;
    while (true) {
      Optional<Instant> next = nextAfter(cursor);
      if (next.isEmpty() || next.get().isAfter(atOrBefore)) {
        return Optional.ofNullable(last);
      }
      last = next.get();
      cursor = last;
    }
  }

  /** Next matching wall-clock time strictly after {@code after} (Quartz, in UTC = no DST). */
  private Optional<LocalDateTime> nextLocal(LocalDateTime after) {
    Date from = Date.from(after.toInstant(ZoneOffset.UTC));
    Date best = null;
    for (CronExpression ce : quartz) {
      Date d = ce.getNextValidTimeAfter(from);
      if (d != null && (best == null || d.before(best))) {
        best = d;
      }
    }
    return Optional.ofNullable(best)
        .map(d -> LocalDateTime.ofInstant(d.toInstant(), ZoneOffset.UTC));
  }

  /** Applies the DST rule of the class comment. */
  private static Instant toInstant(LocalDateTime local, ZoneRules rules) {
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.isEmpty()) { // in a gap: fire when the clocks jump
      ZoneOffsetTransition gap = rules.getTransition(local);
      return gap.getInstant();
    }
    // one offset, or two in an overlap (clocks went back): the first occurrence
    return offsets.stream().map(local::toInstant).min(Comparator.naturalOrder()).orElseThrow();
  }

  @Override
  public String toString() {
    return expression + " (" + zone + ")";
  }
}
