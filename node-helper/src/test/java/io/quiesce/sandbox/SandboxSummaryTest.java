package io.quiesce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxSummaryTest {

  private final SnapshotRow consistent =
      row("a", Consistency.FilesystemConsistent, SnapshotPhase.Succeeded, 100L);
  private final SnapshotRow crash =
      row("b", Consistency.CrashConsistent, SnapshotPhase.Succeeded, 900L);

  @Test
  void passesWhenEverySnapshotIsFilesystemConsistentAndEveryImageClean() {
    SnapshotRow other = row("c", Consistency.FilesystemConsistent, SnapshotPhase.Succeeded, 900L);
    SandboxSummary summary =
        new SandboxSummary(
            List.of(consistent, other), List.of(check(consistent, true), check(other, true)));
    assertThat(summary.passed()).isTrue();
    assertThat(summary.everySnapshotConsistent()).isTrue();
    assertThat(summary.text())
        .contains("snapshots taken:        2 (2 Succeeded, 0 Failed), 2 FilesystemConsistent")
        .contains("every image clean: yes")
        .contains("clean (e2fsck -fn): 2")
        .contains("median 100, p95 900, max 900 (n=2)")
        .contains("RESULT: PASS");
  }

  @Test
  void saysWhenASnapshotIsOnlyCrashConsistentOrFailed() {
    SandboxSummary crashToo =
        new SandboxSummary(
            List.of(consistent, crash), List.of(check(consistent, true), check(crash, false)));
    assertThat(crashToo.passed()).as("a crash-consistent image may be dirty").isTrue();
    assertThat(crashToo.everySnapshotConsistent()).isFalse();
    assertThat(crashToo.text())
        .contains("every snapshot Succeeded and FilesystemConsistent, every image clean: NO")
        .contains("RESULT: PASS");

    SnapshotRow failed = row("d", null, SnapshotPhase.Failed, null);
    assertThat(
            new SandboxSummary(List.of(consistent, failed), List.of(check(consistent, true)))
                .everySnapshotConsistent())
        .isFalse();
  }

  @Test
  void failsWhenAFilesystemConsistentImageIsDirty() {
    SandboxSummary summary =
        new SandboxSummary(List.of(consistent), List.of(check(consistent, false)));
    assertThat(summary.passed()).isFalse();
    assertThat(summary.text()).contains("DIRTY").contains("RESULT: FAIL");
  }

  @Test
  void failsWhenNoSnapshotIsFilesystemConsistent() {
    assertThat(new SandboxSummary(List.of(crash), List.of(check(crash, true))).passed()).isFalse();
  }

  @Test
  void aGroupSnapshotShowsEachVmsWindowAndTheCommonWindow() {
    Instant t0 = Instant.parse("2026-11-25T22:17:01Z");
    GroupWindows windows =
        new GroupWindows(
            List.of(
                new GroupWindows.MemberWindow("guest-1", true, t0, t0.plusMillis(400), 400L),
                new GroupWindows.MemberWindow(
                    "guest-2", true, t0.plusMillis(100), t0.plusMillis(500), 400L)),
            t0.plusMillis(100),
            t0.plusMillis(400),
            300L);
    SnapshotRow group =
        new SnapshotRow(
            "sandbox--20261125-2217",
            "guest-1+guest-2",
            "20261125-2217",
            SnapshotPhase.Succeeded,
            Consistency.FilesystemConsistent,
            300L,
            List.of("a-data", "b-data"),
            "Frozen",
            windows);
    SandboxSummary summary = new SandboxSummary(List.of(group), List.of(check(group, true)));
    assertThat(summary.passed()).isTrue();
    assertThat(summary.text())
        .contains("common windows (ms):    median 300, p95 300, max 300 (n=1)")
        .contains(
            "sandbox--20261125-2217: FilesystemConsistent, common window 300 ms"
                + " (2026-11-25T22:17:01.100Z .. 2026-11-25T22:17:01.400Z)")
        .contains("guest-1      frozen 400 ms (2026-11-25T22:17:01Z .. 2026-11-25T22:17:01.400Z)")
        .contains("guest-2      frozen 400 ms");
  }

  @Test
  void countsTinyDbConsistencyWithAndWithoutTheHook() {
    SnapshotRow hooked1 = hooked("g1", "s1");
    SnapshotRow hooked2 = hooked("g1", "s2");
    SnapshotRow plain1 = row("g2", Consistency.FilesystemConsistent, SnapshotPhase.Succeeded, 80L);
    SnapshotRow plain2 = row("g4", Consistency.FilesystemConsistent, SnapshotPhase.Succeeded, 90L);
    SandboxSummary summary =
        new SandboxSummary(
            List.of(hooked1, hooked2, plain1, plain2),
            List.of(
                check(hooked1, true, true),
                check(hooked2, true, true),
                check(plain1, true, false),
                check(plain2, true, true)));
    assertThat(summary.passed()).isTrue();
    assertThat(summary.text())
        .contains("  with the preFreeze hook (tinydb-ctl pause):  2 of 2")
        .contains("  without a hook:                              1 of 2")
        .contains("RESULT: PASS")
        .contains("tinydb's index is consistent in every one taken with the preFreeze hook");
  }

  @Test
  void failsWhenAnImageTakenWithTheHookHasAnInconsistentIndex() {
    SnapshotRow hooked = hooked("g1", "s1");
    SandboxSummary summary =
        new SandboxSummary(List.of(hooked), List.of(check(hooked, true, false)));
    assertThat(summary.passed()).isFalse();
    assertThat(summary.text())
        .contains("  with the preFreeze hook (tinydb-ctl pause):  0 of 1")
        .contains("  without a hook:                              none taken")
        .contains("RESULT: FAIL");
  }

  @Test
  void saysWhenTheContrastWasNotMeasured() {
    SandboxSummary summary =
        new SandboxSummary(List.of(consistent), List.of(check(consistent, true)));
    assertThat(summary.text()).contains("tinydb index consistent: not measured");
    assertThat(summary.passed()).isTrue();
  }

  @Test
  void percentilesAreNearestRank() {
    List<Long> sorted = List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L);
    assertThat(SandboxSummary.percentile(sorted, 50)).isEqualTo(50L);
    assertThat(SandboxSummary.percentile(sorted, 95)).isEqualTo(100L);
    assertThat(SandboxSummary.percentile(List.of(7L), 95)).isEqualTo(7L);
  }

  private static SnapshotRow row(
      String vm, Consistency consistency, SnapshotPhase phase, Long frozenMs) {
    return new SnapshotRow(
        "s-" + vm, vm, "20261125-2217", phase, consistency, frozenMs, List.of("s-" + vm + "-data"));
  }

  private static SnapshotRow hooked(String vm, String name) {
    return new SnapshotRow(
        name,
        vm,
        "20261125-2217",
        SnapshotPhase.Succeeded,
        Consistency.FilesystemConsistent,
        100L,
        List.of(name + "-data"),
        "Frozen",
        null,
        true);
  }

  private static ImageCheck check(SnapshotRow row, boolean clean, boolean tinyDbConsistent) {
    return new ImageCheck(
        row,
        "sandbox_" + row.name() + "-data.img",
        clean,
        "e2fsck exit " + (clean ? 0 : 4),
        new TinyDbCheck(true, tinyDbConsistent, tinyDbConsistent ? "consistent" : "NOT"));
  }

  private static ImageCheck check(SnapshotRow row, boolean clean) {
    return new ImageCheck(
        row, "sandbox_" + row.name() + "-data.img", clean, "e2fsck exit " + (clean ? 0 : 4));
  }
}
