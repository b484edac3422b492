package io.quiesce.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go durations ({@code 5s}, {@code 1500ms}, {@code 1h30m}) as the API's {@code quiesce.timeout},
 * {@code failureDeadline} and {@code retention.maxAge} carry them, as the chart passes them in
 * environment variables, and as KubeVirt's {@code unfreezeTimeout} expects them. The one parser of
 * the project.
 */
public final class GoDurations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private GoDurations() {}

  /**
   * Parses a non-negative Go duration; throws IllegalArgumentException when malformed or too large.
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    return PARSED.get(text);
  }

  /** Each spec's few durations are parsed per reconcile; the regex once per distinct text. */
  private static final ParseCache<Duration> PARSED = new ParseCache<>(GoDurations::parseOnce);

  private static Duration parseOnce(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(text);
    int at = 0;
    long nanos = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("not a duration: " + text);
      }
      BigDecimal value = new BigDecimal(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      try {
        nanos = Math.addExact(nanos, value.multiply(BigDecimal.valueOf(unit)).longValueExact());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("duration out of range: " + text);
      }
      at = m.end();
    }
    return Duration.ofNanos(nanos);
  }

  /** Parses a Go duration that must be above zero (timeouts, intervals). */
  public static Duration parsePositive(String text) {
    return requirePositive(parse(text));
  }

  /** {@code d}, when it is above zero (timeouts, intervals). */
  public static Duration requirePositive(Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("duration must be above zero: " + format(d));
    }
    return d;
  }

  /** Formats as Go's {@code time.Duration.String()}: {@code 5s}, {@code 1.5s}, {@code 5m0s}. */
  public static String format(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative duration " + d);
    }
    if (d.isZero()) {
      return "0s";
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      long nanos = d.toNanos();
      if (nanos % 1_000_000 == 0) {
        return nanos / 1_000_000 + "ms";
      }
      return BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
    }
    long hours = d.toHours();
    long minutes = d.toMinutesPart();
    String seconds =
        BigDecimal.valueOf(d.toSecondsPart() * 1_000_000_000L + d.toNanosPart(), 9)
                .stripTrailingZeros()
                .toPlainString()
            + "s";
    if (hours > 0) {
      return hours + "h" + minutes + "m" + seconds;
    }
    return minutes > 0 ? minutes + "m" + seconds : seconds;
  }
}
