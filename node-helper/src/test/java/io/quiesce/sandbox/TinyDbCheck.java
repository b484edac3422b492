package io.quiesce.sandbox;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the test guest's toy database (tinydb, hack/qga-vm.sh) is consistent in a disk copy: its
 * index ({@code /db/index}, "{@code <count> <offset>}") covers exactly its append-only log ({@code
 * /db/log}, one "{@code <seq> <uptime>}" line per record). tinydb rewrites the index only at a
 * checkpoint, which the sandbox's preFreeze hook ({@code tinydb-ctl pause}) asks for; between
 * checkpoints the log is ahead of the index, so a copy of a frozen, filesystem-consistent disk
 * taken without the hook usually shows an index that does not match its log.
 *
 * @param present whether the copy holds a tinydb index at all
 * @param consistent whether the index covers exactly the log: as many bytes as the log has, and its
 *     count is the last record's sequence number
 * @param detail what was found, for the summary
 */
record TinyDbCheck(boolean present, boolean consistent, String detail) {

  /** Where tinydb keeps its files inside the data disk (mounted at /data in the guest). */
  static final String INDEX = "/db/index";

  static final String LOG = "/db/log";

  private static final Pattern INDEX_LINE = Pattern.compile("(\\d{1,12}) (\\d{1,15})");
  private static final Pattern RECORD_LINE = Pattern.compile("(\\d{1,12}) [0-9.]{1,20}");

  /** A copy without tinydb (its guest did not run it). */
  static TinyDbCheck absent() {
    return new TinyDbCheck(false, false, "no tinydb");
  }

  /**
   * The verdict on one copy.
   *
   * @param indexText what {@code debugfs cat /db/index} printed (its banner line included)
   * @param logSize the log's size in bytes, empty when the log is missing
   * @param logTail the end of what {@code debugfs cat /db/log} printed
   */
  static TinyDbCheck of(String indexText, Optional<Long> logSize, String logTail) {
    Optional<Matcher> index =
        indexText.lines().map(INDEX_LINE::matcher).filter(Matcher::matches).findFirst();
    if (index.isEmpty()) {
      return absent();
    }
    long count = Long.parseLong(index.get().group(1));
    long offset = Long.parseLong(index.get().group(2));
    if (logSize.isEmpty()) {
      return new TinyDbCheck(true, false, "tinydb index " + count + " records, no log");
    }
    long lastRecord = lastRecord(logTail);
    long size = logSize.get();
    boolean consistent = size == offset && lastRecord == count;
    String found =
        String.format(
            "index %d records/%d B, log %d records/%d B", count, offset, lastRecord, size);
    if (consistent) {
      return new TinyDbCheck(true, true, "tinydb index consistent (" + found + ")");
    }
    return new TinyDbCheck(
        true,
        false,
        "tinydb index NOT consistent ("
            + found
            + (size > offset && lastRecord > count
                ? ": the log is " + (lastRecord - count) + " records ahead of its index)"
                : ")"));
  }

  /** The sequence number of the log's last complete record, 0 when it has none. */
  private static long lastRecord(String logTail) {
    List<String> lines = logTail.lines().toList();
    for (int i = lines.size() - 1; i >= 0; i--) {
      Matcher m = RECORD_LINE.matcher(lines.get(i));
      if (m.matches()) {
        return Long.parseLong(m.group(1));
      }
    }
    return 0;
  }
}
