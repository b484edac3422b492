package io.quiesce.schedule;

import java.io.PrintStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code operator.jar schedule preview '<cron>' [--time-zone Z] [--count N] [--from ISO-8601]}:
 * prints the next fire times, one per line, ISO-8601 with the zone's offset.
 */
public final class SchedulePreviewCommand {
  static final int MAX_COUNT = 1000;

  private final PrintStream out;
  private final PrintStream err;

  public SchedulePreviewCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command; returns the process exit code (0 ok, 1 invalid schedule, 2 usage). */
  public int run(List<String> args, Instant now) {
    String cron = null;
    String zone = "UTC";
    int count = 5;
    Instant from = now;
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--time-zone", "--timezone", "-z" -> zone = value(args, ++i, a);
          case "--count", "-n" -> count = count(value(args, ++i, a));
          case "--from" -> from = instant(value(args, ++i, a));
          default -> {
            if (a.startsWith("--") || cron != null) {
              throw new UsageException("unexpected argument \"" + a + "\"");
            }
            cron = a;
          }
        }
      }
      if (cron == null) {
        throw new UsageException("missing the cron expression");
      }
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(
          "usage: operator.jar schedule preview '<cron>' [--time-zone ZONE] [--count N] [--from ISO-8601]");
      return 2;
    }
    try {
      CronSchedule schedule = CronSchedule.parse(cron, zone);
      for (Instant fire : schedule.next(from, count)) {
        out.println(
            OffsetDateTime.ofInstant(fire, schedule.zone())
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      }
      return 0;
    } catch (InvalidScheduleException e) {
      err.println("invalid schedule \"" + cron + "\": " + e.getMessage());
      return 1;
    }
  }

  private static String value(List<String> args, int i, String flag) throws UsageException {
    if (i >= args.size()) {
      throw new UsageException(flag + " needs a value");
    }
    return args.get(i);
  }

  private static int count(String text) throws UsageException {
    try {
      int n = Integer.parseInt(text);
      if (n < 1 || n > MAX_COUNT) {
        throw new UsageException("--count must be between 1 and " + MAX_COUNT);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException("--count must be a number, got \"" + text + "\"");
    }
  }

  private static Instant instant(String text) throws UsageException {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new UsageException(
          "--from must be ISO-8601 with an offset, e.g. 2026-03-29T00:00:00+01:00");
    }
  }

  private static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }
}
