package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.schedule.RetentionPolicy.Outcome;
import io.quiesce.schedule.RetentionPolicy.SnapshotRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RetentionPolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");
  private static final String SCHEDULE = "nightly";

  private static SnapshotRecord snap(String name, String vm, int hoursAgo, Outcome outcome) {
    return new SnapshotRecord(name, vm, SCHEDULE, NOW.minus(Duration.ofHours(hoursAgo)), outcome);
  }

  @Test
  void keepsTheNewestNSucceededPerVm() {
    List<SnapshotRecord> history =
        List.of(
            snap("a1", "a", 72, Outcome.SUCCEEDED), snap("a2", "a", 48, Outcome.SUCCEEDED),
            snap("a3", "a", 24, Outcome.SUCCEEDED), snap("b1", "b", 72, Outcome.SUCCEEDED));

    List<SnapshotRecord> doomed = new RetentionPolicy(2, null, 3).toDelete(SCHEDULE, history, NOW);

    assertThat(doomed).extracting(SnapshotRecord::name).containsExactly("a1");
  }

  /** A schedule's group snapshots are one history, each counted once, apart from per-VM ones. */
  @Test
  void groupSnapshotsAreCountedAsOneHistoryEachAsOne() {
    String groups = RetentionPolicy.GROUPS;
    List<SnapshotRecord> history =
        List.of(
            snap("g1", groups, 72, Outcome.SUCCEEDED),
            snap("g2", groups, 48, Outcome.SUCCEEDED),
            snap("g3", groups, 24, Outcome.SUCCEEDED),
            snap("g4", groups, 2, Outcome.FAILED),
            snap("g5", groups, 1, Outcome.FAILED),
            snap("a1", "a", 96, Outcome.SUCCEEDED)); // from before the schedule made groups

    List<SnapshotRecord> doomed = new RetentionPolicy(2, null, 1).toDelete(SCHEDULE, history, NOW);

    assertThat(doomed).extracting(SnapshotRecord::name).containsExactly("g1", "g4");
  }

  @Test
  void maxAgeNeverDeletesTheNewestSucceeded() {
    List<SnapshotRecord> history =
        List.of(
            snap("old1", "a", 500, Outcome.SUCCEEDED),
            snap("old2", "a", 400, Outcome.SUCCEEDED),
            snap("fail", "a", 1, Outcome.FAILED));

    List<SnapshotRecord> doomed =
        new RetentionPolicy(null, Duration.ofHours(24), 3).toDelete(SCHEDULE, history, NOW);

    assertThat(doomed).extracting(SnapshotRecord::name).containsExactly("old1");
  }

  @Test
  void failedAreNotCountedAsKeptAndArePrunedByTheirOwnLimit() {
    List<SnapshotRecord> history =
        List.of(
            snap("ok", "a", 100, Outcome.SUCCEEDED),
            snap("f1", "a", 4, Outcome.FAILED),
            snap("f2", "a", 3, Outcome.FAILED),
            snap("f3", "a", 2, Outcome.FAILED),
            snap("f4", "a", 1, Outcome.FAILED));

    List<SnapshotRecord> doomed = new RetentionPolicy(1, null, 2).toDelete(SCHEDULE, history, NOW);

    assertThat(doomed).extracting(SnapshotRecord::name).containsExactly("f1", "f2");
  }

  @Test
  void neverTouchesInProgressOrOtherSchedules() {
    List<SnapshotRecord> history =
        List.of(
            snap("run", "a", 900, Outcome.IN_PROGRESS),
            new SnapshotRecord(
                "manual", "a", null, NOW.minus(Duration.ofDays(90)), Outcome.SUCCEEDED),
            new SnapshotRecord(
                "other", "a", "weekly", NOW.minus(Duration.ofDays(90)), Outcome.SUCCEEDED),
            snap("new", "a", 1, Outcome.SUCCEEDED));

    assertThat(new RetentionPolicy(1, Duration.ofHours(1), 0).toDelete(SCHEDULE, history, NOW))
        .isEmpty();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new RetentionPolicy(0, null, 1)).hasMessageContaining("keepLast");
    assertThatThrownBy(() -> new RetentionPolicy(1, null, -1))
        .hasMessageContaining("failedHistoryLimit");
  }

  static LongStream seeds() {
    return LongStream.range(0, 400);
  }

  /** Property-style: random histories of ready, failed and in-progress snapshots of a few VMs. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void invariantsHoldOnRandomHistories(long seed) {
    Random rnd = new Random(seed);
    Integer keepLast = rnd.nextInt(4) == 0 ? null : 1 + rnd.nextInt(5);
    Duration maxAge = rnd.nextInt(3) == 0 ? null : Duration.ofHours(1 + rnd.nextInt(200));
    int failedLimit = rnd.nextInt(4);
    RetentionPolicy policy = new RetentionPolicy(keepLast, maxAge, failedLimit);
    List<SnapshotRecord> history = randomHistory(rnd);

    List<SnapshotRecord> doomed = policy.toDelete(SCHEDULE, history, NOW);

    Set<SnapshotRecord> doomedSet = Set.copyOf(doomed);
    assertThat(doomed).as("no duplicates").hasSize(doomedSet.size());
    assertThat(history).as("input covers output").containsAll(doomed);
    assertThat(doomed)
        .as("only this schedule's, never in progress")
        .allMatch(s -> SCHEDULE.equals(s.schedule()) && s.outcome() != Outcome.IN_PROGRESS);
    for (String vm : history.stream().map(SnapshotRecord::history).collect(Collectors.toSet())) {
      List<SnapshotRecord> mine =
          history.stream()
              .filter(s -> s.history().equals(vm) && SCHEDULE.equals(s.schedule()))
              .toList();
      List<SnapshotRecord> succeeded =
          mine.stream()
              .filter(s -> s.outcome() == Outcome.SUCCEEDED)
              .sorted(
                  Comparator.comparing(SnapshotRecord::created).thenComparing(SnapshotRecord::name))
              .toList();
      List<SnapshotRecord> keptSucceeded =
          succeeded.stream().filter(s -> !doomedSet.contains(s)).toList();
      long keptFailed =
          mine.stream()
              .filter(s -> s.outcome() == Outcome.FAILED && !doomedSet.contains(s))
              .count();
      long failed = mine.stream().filter(s -> s.outcome() == Outcome.FAILED).count();
      if (!succeeded.isEmpty()) {
        assertThat(keptSucceeded)
            .as("newest ready of %s kept", vm)
            .contains(succeeded.get(succeeded.size() - 1));
      }
      if (keepLast != null) {
        assertThat(keptSucceeded.size()).as("keepLast for %s", vm).isLessThanOrEqualTo(keepLast);
        // nothing is deleted that the count allowed and the age did not forbid
        int rank = 0;
        for (SnapshotRecord s : reversed(succeeded)) {
          boolean tooOld = maxAge != null && s.created().plus(maxAge).isBefore(NOW);
          boolean mustStay = rank == 0 || (rank < keepLast && !tooOld);
          assertThat(doomedSet.contains(s)).as("%s rank %d", s.name(), rank).isEqualTo(!mustStay);
          rank++;
        }
      } else if (maxAge == null) {
        assertThat(keptSucceeded).as("no limit keeps all").hasSameSizeAs(succeeded);
      }
      assertThat(keptFailed).as("failed kept for %s", vm).isEqualTo(Math.min(failed, failedLimit));
    }
    List<SnapshotRecord> shuffled = new ArrayList<>(history);
    Collections.shuffle(shuffled, rnd);
    assertThat(policy.toDelete(SCHEDULE, shuffled, NOW)).as("order independent").isEqualTo(doomed);
  }

  private static List<SnapshotRecord> reversed(List<SnapshotRecord> list) {
    List<SnapshotRecord> r = new ArrayList<>(list);
    Collections.reverse(r);
    return r;
  }

  private static List<SnapshotRecord> randomHistory(Random rnd) {
    List<SnapshotRecord> history = new ArrayList<>();
    int vms = 1 + rnd.nextInt(4);
    for (int v = 0; v < vms; v++) {
      int count = rnd.nextInt(15);
      for (int i = 0; i < count; i++) {
        Outcome outcome = Outcome.values()[rnd.nextInt(10) < 6 ? 1 : rnd.nextInt(3)];
        String schedule = rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? null : "other") : SCHEDULE;
        Instant created = NOW.minus(Duration.ofMinutes(rnd.nextInt(60 * 24 * 20)));
        history.add(new SnapshotRecord("vm" + v + "-" + i, "vm" + v, schedule, created, outcome));
      }
    }
    return history;
  }
}
