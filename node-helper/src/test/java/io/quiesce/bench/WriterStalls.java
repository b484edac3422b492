package io.quiesce.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest writer's view of a freeze, independent of Quiesce's own clock: the test guest's writer
 * appends and fsyncs on the frozen filesystem in a loop and prints {@code W <n> <uptime>} on the
 * console after each iteration (see {@code hack/qga-vm.sh}), so a freeze shows as a long gap
 * between two W lines. The stall of an operation is the longest gap between the last W line before
 * it started and the first W line after it ended.
 */
final class WriterStalls {

  private static final Pattern W_LINE =
      Pattern.compile("^W (\\d+) (\\d+(?:\\.\\d+)?)\\s*$", Pattern.MULTILINE);

  /**
   * A completed writer iteration: where its line starts in the console log, and the guest's uptime
   * (s).
   */
  record Iteration(long offset, double uptime) {}

  private final Path console;

  WriterStalls(Path console) {
    this.console = console;
  }

  /** The console log's length now: mark it before an operation. */
  long mark() throws IOException {
    return Files.size(console);
  }

  /**
   * The longest gap (ms) between writer iterations around an operation that ran between the two
   * marks; empty until the writer has completed an iteration after {@code end}.
   */
  OptionalDouble stallMs(long start, long end) throws IOException {
    return longestGapMs(
        iterations(Files.readString(console, StandardCharsets.ISO_8859_1)), start, end);
  }

  static List<Iteration> iterations(String consoleText) {
    List<Iteration> out = new ArrayList<>();
    Matcher m = W_LINE.matcher(consoleText);
    while (m.find()) {
      // console text is read as ISO-8859-1, so a char index is a byte offset
      out.add(new Iteration(m.start(), Double.parseDouble(m.group(2))));
    }
    return out;
  }

  static OptionalDouble longestGapMs(List<Iteration> iterations, long start, long end) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < iterations.size(); i++) {
      if (iterations.get(i).offset() < start) {
        first = i;
      } else if (iterations.get(i).offset() >= end) {
        last = i;
        break;
      }
    }
    if (first < 0 || last < 0) {
      return OptionalDouble.empty();
    }
    double longest = 0;
    for (int i = first + 1; i <= last; i++) {
      longest = Math.max(longest, iterations.get(i).uptime() - iterations.get(i - 1).uptime());
    }
    return OptionalDouble.of(longest * 1000);
  }
}
