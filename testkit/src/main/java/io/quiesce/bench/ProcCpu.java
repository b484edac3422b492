package io.quiesce.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, user plus system, from Linux's {@code /proc/<pid>/stat}: what a
 * loaded machine does not distort (wall time under load does).
 *
 * @param ticks {@code utime + stime} of every thread of the process, in clock ticks
 */
public record ProcCpu(long ticks) {

  /** Linux reports {@code /proc} times in USER_HZ, a fixed 100 per second in its ABI. */
  private static final long TICKS_PER_SECOND = 100;

  /** Reads the CPU time of a live process. */
  public static ProcCpu of(long pid) throws IOException {
    return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /**
   * Parses the text of a {@code /proc/<pid>/stat} file. Its second field, the command name in
   * parentheses, may hold spaces and parentheses itself, so the fields are counted after its last
   * {@code )}: there {@code utime} and {@code stime} (fields 14 and 15) are the 12th and 13th.
   */
  public static ProcCpu parse(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0) {
      throw new IllegalArgumentException("no command name in /proc stat: " + stat);
    }
    String[] fields = stat.substring(end + 1).trim().split("\\s+");
    if (fields.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc stat: " + stat);
    }
    return new ProcCpu(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
  }

  /** The CPU time in milliseconds. */
  public long millis() {
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** The CPU time used since {@code before}, in milliseconds. */
  public long millisSince(ProcCpu before) {
    return millis() - before.millis();
  }
}
