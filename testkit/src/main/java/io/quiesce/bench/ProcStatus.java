package io.quiesce.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resident memory of a process from Linux's {@code /proc/<pid>/status}.
 *
 * @param rssKiB {@code VmRSS}: resident now
 * @param hwmKiB {@code VmHWM}: the peak resident so far
 */
public record ProcStatus(long rssKiB, long hwmKiB) {

  private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB$", Pattern.MULTILINE);
  private static final Pattern HWM = Pattern.compile("^VmHWM:\\s+(\\d+) kB$", Pattern.MULTILINE);

  /** Reads the status of a live process. */
  public static ProcStatus of(long pid) throws IOException {
    return parse(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
  }

  /** Parses the text of a {@code /proc/<pid>/status} file. */
  public static ProcStatus parse(String status) {
    return new ProcStatus(field(RSS, status), field(HWM, status));
  }

  private static long field(Pattern pattern, String status) {
    Matcher m = pattern.matcher(status);
    if (!m.find()) {
      throw new IllegalArgumentException("no " + pattern.pattern() + " in /proc status");
    }
    return Long.parseLong(m.group(1));
  }

  /** {@code VmRSS} in MiB. */
  public double rssMiB() {
    return rssKiB / 1024.0;
  }

  /** {@code VmHWM} in MiB. */
  public double hwmMiB() {
    return hwmKiB / 1024.0;
  }
}
