package io.quiesce.helper;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the command line's durations: {@code 500ms}, {@code 5s}, {@code 1m}. */
final class DurationArgument {
  private static final Pattern FORM = Pattern.compile("(\\d{1,7})(ms|s|m)");
  private static final Duration MAX = Duration.ofMinutes(10);

  private DurationArgument() {}

  static Duration parse(String text) {
    Matcher matcher = FORM.matcher(text);
    if (!matcher.matches()) {
      throw new UsageException("invalid duration '" + text + "': use e.g. 500ms, 5s or 1m");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration duration =
        switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          default -> Duration.ofMinutes(amount);
        };
    if (duration.isZero() || duration.compareTo(MAX) > 0) {
      throw new UsageException("duration '" + text + "' must be above 0 and at most 10m");
    }
    return duration;
  }
}
