package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.quiesce.api.v1alpha1.ConcurrencyPolicy;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.ChildNames;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirePlanTest {
  private static final Instant EARLIER = Instant.parse("2026-03-02T10:00:00Z");
  private static final Instant FIRE = Instant.parse("2026-03-02T11:00:00Z");

  private static FirePlan.ExistingSnapshot earlier(String vm, SnapshotPhase phase) {
    return new FirePlan.ExistingSnapshot(
        ChildNames.scheduledSnapshot("s", vm, EARLIER), vm, phase, EARLIER);
  }

  @Test
  void forbidSkipsVmsWithARunningSnapshotOnly() {
    var steps =
        FirePlan.plan(
            "s",
            FIRE,
            List.of("done", "running", "pending", "unstarted", "failed", "new"),
            List.of(
                earlier("done", SnapshotPhase.Succeeded),
                earlier("running", SnapshotPhase.InProgress),
                earlier("pending", SnapshotPhase.Pending),
                earlier("unstarted", null),
                earlier("failed", SnapshotPhase.Failed)),
            ConcurrencyPolicy.Forbid);
    assertThat(steps)
        .extracting(FirePlan.Step::vm, FirePlan.Step::action)
        .containsExactly(
            tuple("done", FirePlan.Action.CREATE),
            tuple("failed", FirePlan.Action.CREATE),
            tuple("new", FirePlan.Action.CREATE),
            tuple("pending", FirePlan.Action.SKIP_ACTIVE),
            tuple("running", FirePlan.Action.SKIP_ACTIVE),
            tuple("unstarted", FirePlan.Action.SKIP_ACTIVE));
    assertThat(steps.get(4).blockedBy())
        .isEqualTo(ChildNames.scheduledSnapshot("s", "running", EARLIER));
  }

  @Test
  void allowCreatesDespiteARunningSnapshot() {
    var steps =
        FirePlan.plan(
            "s",
            FIRE,
            List.of("running"),
            List.of(earlier("running", SnapshotPhase.InProgress)),
            ConcurrencyPolicy.Allow);
    assertThat(steps)
        .singleElement()
        .satisfies(
            step -> {
              assertThat(step.action()).isEqualTo(FirePlan.Action.CREATE);
              assertThat(step.snapshotName())
                  .isEqualTo(ChildNames.scheduledSnapshot("s", "running", FIRE));
            });
  }

  @Test
  void theSnapshotOfThisVeryFireIsNotCreatedAgainNorSkipped() {
    var thisFire =
        new FirePlan.ExistingSnapshot(
            ChildNames.scheduledSnapshot("s", "vm", FIRE), "vm", null, FIRE);
    var steps =
        FirePlan.plan("s", FIRE, List.of("vm", "vm"), List.of(thisFire), ConcurrencyPolicy.Forbid);
    assertThat(steps)
        .singleElement()
        .extracting(FirePlan.Step::action)
        .isEqualTo(FirePlan.Action.ALREADY_EXISTS);
  }

  @Test
  void aGroupFireIsOneStepSkippedWhileAnyOfItsVmsIsBusyUnderForbid() {
    var busy = earlier("db", SnapshotPhase.InProgress); // a per-VM snapshot from before
    var earlierGroup =
        new FirePlan.ExistingSnapshot(
            ChildNames.scheduledGroupSnapshot("s", EARLIER),
            List.of("app", "db"),
            SnapshotPhase.Succeeded,
            EARLIER);

    FirePlan.Step skipped =
        FirePlan.planGroup(
            "s",
            FIRE,
            List.of("db", "app", "app"),
            List.of(busy, earlierGroup),
            ConcurrencyPolicy.Forbid);
    assertThat(skipped.group()).isTrue();
    assertThat(skipped.vms()).containsExactly("app", "db");
    assertThat(skipped.action()).isEqualTo(FirePlan.Action.SKIP_ACTIVE);
    assertThat(skipped.blockedBy()).isEqualTo(busy.name());
    assertThat(skipped.snapshotName()).isEqualTo(ChildNames.scheduledGroupSnapshot("s", FIRE));

    assertThat(
            FirePlan.planGroup(
                    "s", FIRE, List.of("app", "db"), List.of(busy), ConcurrencyPolicy.Allow)
                .action())
        .isEqualTo(FirePlan.Action.CREATE);
    var thisFire =
        new FirePlan.ExistingSnapshot(
            ChildNames.scheduledGroupSnapshot("s", FIRE), List.of("app", "db"), null, FIRE);
    assertThat(
            FirePlan.planGroup(
                    "s", FIRE, List.of("app", "db"), List.of(thisFire), ConcurrencyPolicy.Forbid)
                .action())
        .as("a repeated fire finds its group")
        .isEqualTo(FirePlan.Action.ALREADY_EXISTS);
    // a running group blocks a per-VM fire of its VMs too
    var runningGroup =
        new FirePlan.ExistingSnapshot(
            ChildNames.scheduledGroupSnapshot("s", EARLIER),
            List.of("app", "db"),
            SnapshotPhase.Pending,
            EARLIER);
    assertThat(
            FirePlan.plan(
                "s", FIRE, List.of("app", "web"), List.of(runningGroup), ConcurrencyPolicy.Forbid))
        .extracting(FirePlan.Step::vm, FirePlan.Step::action)
        .containsExactly(
            tuple("app", FirePlan.Action.SKIP_ACTIVE), tuple("web", FirePlan.Action.CREATE));
  }
}
