package io.quiesce.sandbox;

import io.quiesce.api.v1alpha1.SnapshotPhase;
import java.util.List;
import java.util.Objects;

/**
 * The sandbox's verdict: snapshots taken, clean images, freeze windows (median, p95, max), and the
 * application-consistency contrast: tinydb's index in the FilesystemConsistent images taken with
 * the preFreeze hook and without it.
 */
final class SandboxSummary {

  private final List<SnapshotRow> snapshots;
  private final List<ImageCheck> checks;

  SandboxSummary(List<SnapshotRow> snapshots, List<ImageCheck> checks) {
    this.snapshots = List.copyOf(snapshots);
    this.checks = List.copyOf(checks);
  }

  /**
   * True when at least one snapshot is FilesystemConsistent and every image of every
   * FilesystemConsistent snapshot is clean (none vacuously), and every such image of a snapshot
   * taken with the preFreeze hook holds a consistent tinydb index. A snapshot that honestly failed
   * (say, QuiesceTimeout on a loaded machine) does not fail the run; {@link
   * #everySnapshotConsistent} says whether there was one.
   */
  boolean passed() {
    List<ImageCheck> consistent =
        checks.stream().filter(c -> c.snapshot().filesystemConsistent()).toList();
    boolean everyConsistentChecked =
        snapshots.stream()
            .filter(SnapshotRow::filesystemConsistent)
            .allMatch(s -> !s.volumeSnapshots().isEmpty());
    return !consistent.isEmpty()
        && everyConsistentChecked
        && consistent.stream().allMatch(ImageCheck::clean)
        && withHook().stream().allMatch(c -> c.tinyDb().consistent());
  }

  /** The clean FilesystemConsistent images of snapshots taken with the preFreeze hook. */
  List<ImageCheck> withHook() {
    return appChecks(true);
  }

  /** The clean FilesystemConsistent images of snapshots without it whose guest ran tinydb. */
  List<ImageCheck> withoutHook() {
    return appChecks(false).stream().filter(c -> c.tinyDb().present()).toList();
  }

  private List<ImageCheck> appChecks(boolean hooked) {
    return checks.stream()
        .filter(
            c ->
                c.clean() && c.snapshot().filesystemConsistent() && c.snapshot().hooked() == hooked)
        .toList();
  }

  /** True when every snapshot Succeeded and is FilesystemConsistent, and every image is clean. */
  boolean everySnapshotConsistent() {
    return passed()
        && snapshots.stream()
            .allMatch(s -> s.phase() == SnapshotPhase.Succeeded && s.filesystemConsistent())
        && checks.stream().allMatch(ImageCheck::clean);
  }

  /** Freeze windows of the snapshots that recorded one, in snapshot order. */
  List<Long> freezeWindows() {
    return snapshots.stream().map(SnapshotRow::frozenMs).filter(Objects::nonNull).toList();
  }

  String text() {
    StringBuilder out = new StringBuilder();
    long succeeded = snapshots.stream().filter(s -> s.phase() == SnapshotPhase.Succeeded).count();
    long consistent = snapshots.stream().filter(SnapshotRow::filesystemConsistent).count();
    out.append(
        String.format(
            "snapshots taken:        %d (%d Succeeded, %d Failed), %d FilesystemConsistent%n",
            snapshots.size(), succeeded, snapshots.size() - succeeded, consistent));
    out.append(
        String.format(
            "images checked:         %d, clean (e2fsck -fn): %d%n",
            checks.size(), checks.stream().filter(ImageCheck::clean).count()));
    List<Long> windows = freezeWindows().stream().sorted().toList();
    boolean groups = snapshots.stream().anyMatch(s -> s.group() != null);
    if (windows.isEmpty()) {
      out.append("freeze windows:         none recorded\n");
    } else if (groups) {
      out.append(
          String.format(
              "common windows (ms):    median %d, p95 %d, max %d (n=%d)%n",
              percentile(windows, 50),
              percentile(windows, 95),
              windows.get(windows.size() - 1),
              windows.size()));
    } else {
      out.append(
          String.format(
              "freeze windows (ms):    median %d, p95 %d, max %d (n=%d)%n",
              percentile(windows, 50),
              percentile(windows, 95),
              windows.get(windows.size() - 1),
              windows.size()));
    }
    out.append(applicationConsistency());
    if (groups) {
      out.append(
          "\ngroup snapshots (each VM's freeze window; the common window: all frozen at once):\n");
      for (SnapshotRow s : snapshots) {
        if (s.group() != null) {
          out.append(groupLines(s));
        }
      }
    }
    out.append("\nsnapshot images:\n");
    for (ImageCheck c : checks) {
      SnapshotRow row = c.snapshot();
      Object verdict =
          row.consistency() != null ? row.consistency() : row.phase() + " (" + row.reason() + ")";
      out.append(
          String.format(
              "  %-44s %-22s %-6s %s%n",
              c.image(), verdict, c.clean() ? "clean" : "DIRTY", c.detail()));
    }
    out.append(
        String.format(
            "%nevery snapshot Succeeded and FilesystemConsistent, every image clean: %s%n",
            everySnapshotConsistent() ? "yes" : "NO"));
    out.append(
        passed()
            ? "RESULT: PASS - every FilesystemConsistent snapshot image is clean"
                + (withHook().isEmpty()
                    ? ""
                    : ", and tinydb's index is consistent in every one"
                        + " taken with the preFreeze hook")
                + "\n"
            : "RESULT: FAIL - no FilesystemConsistent snapshot, one of their images is not clean,"
                + " or one taken with the preFreeze hook has an inconsistent tinydb index\n");
    return out.toString();
  }

  /**
   * The contrast, counted over the clean FilesystemConsistent images: every one is
   * filesystem-consistent, only the hook makes tinydb's own state consistent.
   */
  private String applicationConsistency() {
    List<ImageCheck> with = withHook();
    List<ImageCheck> without = withoutHook();
    if (with.isEmpty() && without.isEmpty()) {
      return "tinydb index consistent: not measured (no FilesystemConsistent image with tinydb)\n";
    }
    return String.format(
        "tinydb index consistent (application consistency, in the FilesystemConsistent images):%n"
            + "  with the preFreeze hook (tinydb-ctl pause):  %s%n"
            + "  without a hook:                              %s%n",
        ratio(with), ratio(without));
  }

  private static String ratio(List<ImageCheck> checks) {
    if (checks.isEmpty()) {
      return "none taken";
    }
    long consistent = checks.stream().filter(c -> c.tinyDb().consistent()).count();
    return consistent + " of " + checks.size();
  }

  private static String groupLines(SnapshotRow s) {
    GroupWindows w = s.group();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "  %s: %s, common window %s%n",
            s.name(),
            s.consistency() != null ? s.consistency() : s.phase() + " (" + s.reason() + ")",
            w.commonMs() == null
                ? "none"
                : w.commonMs() + " ms (" + w.commonStart() + " .. " + w.commonEnd() + ")"));
    for (GroupWindows.MemberWindow m : w.members()) {
      out.append(
          String.format(
              "    %-12s %s%n",
              m.vm(),
              m.start() == null
                  ? "not frozen"
                  : (m.frozen() ? "frozen " : "not frozen, window ")
                      + m.durationMs()
                      + " ms ("
                      + m.start()
                      + " .. "
                      + m.end()
                      + ")"));
    }
    return out.toString();
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
