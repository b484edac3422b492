package io.quiesce.testkit.guest;

import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a restored disk holds what the guest had written when it was frozen, read from the
 * guest's own console log: the writer prints {@code W <n> <uptime>} once record {@code n} is
 * appended to {@code /data/journal.log} and fsync'ed, and the agent's fsfreeze hook prints {@code
 * HOOK freeze} before it freezes and {@code HOOK thaw} after it thawed. A copy cut inside that
 * freeze must end in a record no older than the last one fsync'ed before {@code HOOK freeze}, and
 * no newer than the first one fsync'ed after {@code HOOK thaw}: that one may be on the copy, since
 * its append can land before the freeze (which flushes it to the disk) while its fsync, and so its
 * {@code W} line, completes only after the thaw.
 *
 * @param lastBeforeFreeze the last record the guest had fsync'ed before the (last) freeze started
 * @param firstAfterThaw the first record it fsync'ed after the thaw
 * @param restoredLast the last record of {@code journal.log} on the restored disk
 */
public record WriterRecordCheck(long lastBeforeFreeze, long firstAfterThaw, long restoredLast) {
  private static final Pattern WRITTEN = Pattern.compile("^W (\\d+) ");

  /** Whether {@code lastBeforeFreeze <= restoredLast <= firstAfterThaw}. */
  public boolean holds() {
    return lastBeforeFreeze <= restoredLast && restoredLast <= firstAfterThaw;
  }

  /** The line the sandbox summary and the test print. */
  public String summary() {
    return String.format(
        "writer record check: last record on the restored disk %d; last fsync'ed before the "
            + "freeze %d, first after the thaw %d: %s",
        restoredLast,
        lastBeforeFreeze,
        firstAfterThaw,
        holds() ? "OK (between)" : "FAILED (outside)");
  }

  /**
   * Checks {@code restoredJournal} (the text of {@code /data/journal.log} on the restored disk)
   * against the LAST freeze in {@code console}.
   *
   * @throws IllegalArgumentException when the console has no complete freeze with writes on both
   *     sides, or the journal has no record
   */
  public static WriterRecordCheck of(String console, String restoredJournal) {
    List<String> lines = console.lines().toList();
    int freeze = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("HOOK freeze")) {
        freeze = i;
      }
    }
    if (freeze < 0) {
      throw new IllegalArgumentException(
          "the guest's console shows no freeze (no 'HOOK freeze' line)");
    }
    int thaw = -1;
    for (int i = freeze + 1; i < lines.size() && thaw < 0; i++) {
      if (lines.get(i).contains("HOOK thaw")) {
        thaw = i;
      }
    }
    if (thaw < 0) {
      throw new IllegalArgumentException("the guest's console shows no thaw after its last freeze");
    }
    long before = -1;
    for (int i = 0; i < freeze; i++) {
      OptionalLong n = record(lines.get(i));
      if (n.isPresent()) {
        before = n.getAsLong();
      }
    }
    long after = -1;
    for (int i = thaw + 1; i < lines.size() && after < 0; i++) {
      after = record(lines.get(i)).orElse(-1);
    }
    if (before < 0 || after < 0) {
      throw new IllegalArgumentException(
          "the writer wrote nothing "
              + (before < 0 ? "before the freeze" : "after " + "the thaw")
              + " (console)");
    }
    String last =
        restoredJournal
            .strip()
            .lines()
            .reduce((a, b) -> b)
            .orElseThrow(() -> new IllegalArgumentException("the restored journal.log is empty"));
    long restored = Long.parseLong(last.split(" ", 2)[0]);
    return new WriterRecordCheck(before, after, restored);
  }

  private static OptionalLong record(String line) {
    Matcher m = WRITTEN.matcher(line);
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }
}
