package io.quiesce.schedule;

import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * One of the five fields of a Kubernetes CronJob-style schedule, parsed into the set of values it
 * matches. Syntax as Kubernetes accepts it (robfig/cron v3, standard parser): lists {@code a,b},
 * ranges {@code a-b}, steps {@code *}{@code /n}, {@code a-b/n} and {@code a/n} (= a-max/n), names
 * for months and weekdays, {@code ?} as {@code *} in the day fields, weekday 7 = Sunday.
 */
enum CronField {
  MINUTE("minute", 0, 59, Map.of()),
  HOUR("hour", 0, 23, Map.of()),
  DAY_OF_MONTH("day of month", 1, 31, Map.of()),
  MONTH(
      "month",
      1,
      12,
      Map.ofEntries(
          Map.entry("JAN", 1),
          Map.entry("FEB", 2),
          Map.entry("MAR", 3),
          Map.entry("APR", 4),
          Map.entry("MAY", 5),
          Map.entry("JUN", 6),
          Map.entry("JUL", 7),
          Map.entry("AUG", 8),
          Map.entry("SEP", 9),
          Map.entry("OCT", 10),
          Map.entry("NOV", 11),
          Map.entry("DEC", 12))),
  DAY_OF_WEEK(
      "day of week",
      0,
      7,
      Map.of("SUN", 0, "MON", 1, "TUE", 2, "WED", 3, "THU", 4, "FRI", 5, "SAT", 6));

  final String label;
  final int min;
  final int max;
  private final Map<String, Integer> names;

  CronField(String label, int min, int max, Map<String, Integer> names) {
    this.label = label;
    this.min = min;
    this.max = max;
    this.names = names;
  }

  /** The parsed field: the values it matches and whether it is unrestricted ("star"). */
  record Values(BitSet set, boolean star) {}

  Values parse(String text) throws InvalidScheduleException {
    BitSet set = new BitSet();
    boolean star = false;
    for (String item : text.split(",", -1)) {
      star |= parseItem(item, set);
    }
    if (this == DAY_OF_WEEK && set.get(7)) { // 7 is another name for Sunday
      set.clear(7);
      set.set(0);
    }
    return new Values(set, star);
  }

  /** Adds the item's values to {@code set}; returns true when the item is an unstepped wildcard. */
  private boolean parseItem(String item, BitSet set) throws InvalidScheduleException {
    if (item.isEmpty()) {
      throw error("empty list element");
    }
    String[] rangeAndStep = item.split("/", -1);
    if (rangeAndStep.length > 2) {
      throw error("too many '/' in \"" + item + "\"");
    }
    String range = rangeAndStep[0];
    int low;
    int high;
    boolean wildcard = range.equals("*") || (range.equals("?") && isDayField());
    if (wildcard) {
      low = min;
      high = this == DAY_OF_WEEK ? 6 : max;
    } else {
      String[] bounds = range.split("-", -1);
      if (bounds.length > 2) {
        throw error("too many '-' in \"" + item + "\"");
      }
      low = value(bounds[0]);
      high = bounds.length == 2 ? value(bounds[1]) : low;
      if (low > high) {
        throw error("range " + range + " starts after it ends");
      }
      if (bounds.length == 1 && rangeAndStep.length == 2) {
        high = this == DAY_OF_WEEK ? 6 : max; // "a/n" means a-max/n
      }
    }
    int step = 1;
    if (rangeAndStep.length == 2) {
      step = number(rangeAndStep[1], "step");
      if (step < 1) {
        throw error("step must be at least 1 in \"" + item + "\"");
      }
    }
    for (int v = low; v <= high; v += step) {
      set.set(v);
    }
    return wildcard && step == 1;
  }

  private boolean isDayField() {
    return this == DAY_OF_MONTH || this == DAY_OF_WEEK;
  }

  private int value(String token) throws InvalidScheduleException {
    Integer named = names.get(token.toUpperCase(Locale.ROOT));
    int v = named != null ? named : number(token, "value");
    if (v < min || v > max) {
      throw error("value " + token + " out of range " + min + "-" + max);
    }
    return v;
  }

  private int number(String token, String what) throws InvalidScheduleException {
    if (token.isEmpty() || !token.chars().allMatch(Character::isDigit) || token.length() > 4) {
      throw error("invalid " + what + " \"" + token + "\"");
    }
    return Integer.parseInt(token);
  }

  private InvalidScheduleException error(String detail) {
    return new InvalidScheduleException("field \"" + label + "\": " + detail);
  }
}
