package io.quiesce.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.GuestHook;
import io.quiesce.api.v1alpha1.HookErrorPolicy;
import io.quiesce.api.v1alpha1.HookPhase;
import io.quiesce.api.v1alpha1.HookRun;
import io.quiesce.api.v1alpha1.HooksRecord;
import io.quiesce.api.v1alpha1.SnapshotHooks;
import io.quiesce.status.Reason;
import io.quiesce.testkit.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The hook round on a fake agent: order, Fail and Continue, timeouts, the deadline bound and the
 * guest-exec check. The freeze between preFreeze and postThaw is noted in the fake's log by the
 * test, as FreezeWindowRunner does it between the two calls.
 */
class HookRoundTest {
  private static final Instant T0 = Instant.parse("2026-12-06T06:00:00Z");
  private static final Duration POLL = Duration.ofMillis(200);

  private final MovableClock clock = new MovableClock(T0);
  private final FakeExecAgent agent = new FakeExecAgent();
  private final HookRunner runner =
      new HookRunner(clock, clock::advance, POLL, Duration.ofSeconds(5));

  @Test
  void preFreezeHooksRunInOrderBeforeTheFreezeAndPostThawAfterTheThaw() {
    agent.program("/bin/flush", FakeExecAgent.Program.exits(0, "flushed\u001b[31m red\n"));
    HookRound round =
        round(
            hooks(
                List.of(hook("/bin/flush", "a"), hook("/bin/lock")), List.of(hook("/bin/unlock"))));

    assertThat(round.preFreeze()).isEmpty();
    agent.note("freeze");
    agent.note("thaw");
    round.postThaw();

    assertThat(agent.log())
        .containsExactly(
            "exec /bin/flush a", "exec /bin/lock", "freeze", "thaw", "exec /bin/unlock");
    HooksRecord record = round.record();
    assertThat(record.getRuns())
        .extracting(HookRun::getPhase, HookRun::getIndex, HookRun::getReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(HookPhase.PreFreeze, 0, "HookSucceeded"),
            org.assertj.core.groups.Tuple.tuple(HookPhase.PreFreeze, 1, "HookSucceeded"),
            org.assertj.core.groups.Tuple.tuple(HookPhase.PostThaw, 0, "HookSucceeded"));
    // the escape sequence's control character is gone, the line break is a space
    assertThat(record.getRuns().get(0).getStdout()).isEqualTo("flushed[31m red ");
    assertThat(record.getRuns().get(0).getExitCode()).isZero();
    assertThat(record.getReason()).isNull();
    assertThat(record.getTotalMs()).isEqualTo(record.getPreFreezeMs() + record.getPostThawMs());
  }

  @Test
  void outputIsBoundedBeforeAndAfterDecoding() {
    agent.program("/bin/chatty", FakeExecAgent.Program.exits(0, "x".repeat(100_000)));
    HookRound round = round(hooks(List.of(hook("/bin/chatty")), List.of()));

    assertThat(round.preFreeze()).isEmpty();

    String stdout = round.record().getRuns().get(0).getStdout();
    assertThat(stdout.codePointCount(0, stdout.length())).isEqualTo(HookRun.MAX_OUTPUT);
    assertThat(stdout).endsWith("…[truncated]");
  }

  @Test
  void aFailingPreFreezeHookWithFailStopsTheSnapshotAndPostThawStillRuns() {
    agent.program("/bin/flush", new FakeExecAgent.Program(3, "", "disk full", 2));
    HookRound round =
        round(hooks(List.of(hook("/bin/flush"), hook("/bin/never")), List.of(hook("/bin/unlock"))));

    Optional<HookRound.Stop> stop = round.preFreeze();
    round.postThaw();

    assertThat(stop).isPresent();
    assertThat(stop.get().reason()).isEqualTo(Reason.PRE_FREEZE_HOOK_FAILED.wire());
    assertThat(stop.get().message()).contains("/bin/flush").contains("exited with code 3");
    assertThat(agent.log()).containsExactly("exec /bin/flush", "exec /bin/unlock");
    List<HookRun> runs = round.record().getRuns();
    assertThat(runs)
        .extracting(HookRun::getReason)
        .containsExactly("HookFailed", "HookNotRun", "HookSucceeded");
    assertThat(runs.get(0).getExitCode()).isEqualTo(3);
    assertThat(runs.get(0).getStderr()).isEqualTo("disk full");
    assertThat(round.record().getReason()).isEqualTo("PreFreezeHookFailed");
  }

  @Test
  void aFailingHookWithContinueIsRecordedAndTheNextRuns() {
    agent.program("/bin/flush", FakeExecAgent.Program.exits(1, ""));
    GuestHook flush = hook("/bin/flush");
    flush.setOnError(HookErrorPolicy.Continue);
    HookRound round = round(hooks(List.of(flush, hook("/bin/lock")), List.of()));

    assertThat(round.preFreeze()).isEmpty();

    assertThat(agent.log()).containsExactly("exec /bin/flush", "exec /bin/lock");
    assertThat(round.record().getRuns())
        .extracting(HookRun::getReason)
        .containsExactly("HookFailed", "HookSucceeded");
    assertThat(round.record().getReason()).isNull();
  }

  @Test
  void aHungHookIsAbandonedAtItsTimeoutAndSaysItMayStillRun() {
    agent.program("/bin/hang", FakeExecAgent.Program.hangs());
    GuestHook hang = hook("/bin/hang");
    hang.setTimeout("2s");
    HookRound round = round(hooks(List.of(hang), List.of(hook("/bin/unlock"))));

    Optional<HookRound.Stop> stop = round.preFreeze();
    round.postThaw();

    assertThat(stop).map(HookRound.Stop::reason).contains("PreFreezeHookFailed");
    HookRun run = round.record().getRuns().get(0);
    assertThat(run.getReason()).isEqualTo(Reason.HOOK_TIMED_OUT.wire());
    assertThat(run.getDurationMs()).isEqualTo(2000);
    assertThat(run.getMessage()).contains("may still be running").contains("2000 ms");
    assertThat(run.getExitCode()).isNull();
    assertThat(round.record().getRuns().get(1).getReason()).isEqualTo("HookSucceeded");
  }

  @Test
  void preFreezeHooksTogetherAreBoundedByTheDeadline() {
    agent.program("/bin/slow", new FakeExecAgent.Program(0, "", "", 10_000));
    GuestHook slow = hook("/bin/slow");
    slow.setTimeout("10m");
    slow.setOnError(HookErrorPolicy.Continue);
    GuestHook second = hook("/bin/second");
    HookRound round =
        new HookRound(
            hooks(List.of(slow, second), List.of()),
            runner,
            (bound, calls) -> calls.accept(agent),
            T0.plusSeconds(3),
            Duration.ofSeconds(5));

    assertThat(round.preFreeze()).map(HookRound.Stop::reason).contains("PreFreezeHookFailed");

    List<HookRun> runs = round.record().getRuns();
    assertThat(runs.get(0).getReason()).isEqualTo("HookTimedOut");
    assertThat(runs.get(0).getMessage()).contains("failureDeadline");
    assertThat(runs.get(0).getDurationMs()).isEqualTo(3000);
    // no time left for the next one: not started
    assertThat(runs.get(1).getReason()).isEqualTo("HookNotRun");
    assertThat(agent.log()).containsExactly("exec /bin/slow");
  }

  @Test
  void guestExecDisabledRefusesBeforeAnythingRuns() {
    agent.execDisabled();
    HookRound round = round(hooks(List.of(hook("/bin/flush")), List.of(hook("/bin/unlock"))));

    Optional<HookRound.Stop> stop = round.preFreeze();
    round.postThaw();

    assertThat(stop).map(HookRound.Stop::reason).contains(Reason.HOOKS_REFUSED.wire());
    assertThat(stop.get().message()).contains("guest-exec disabled");
    assertThat(agent.execCalls()).isZero();
    assertThat(round.record().getRuns()).isEmpty();
  }

  @Test
  void aBusyGuestIsLeftForLaterWithNothingRun() {
    HookRound round =
        new HookRound(
            hooks(List.of(hook("/bin/flush")), List.of(hook("/bin/unlock"))),
            runner,
            (bound, calls) -> {
              throw new GuestBusyException("a freeze of it is in progress", null);
            },
            T0.plusSeconds(60),
            Duration.ofSeconds(5));

    org.assertj.core.api.Assertions.assertThatThrownBy(round::preFreeze)
        .isInstanceOf(GuestBusyException.class);
    round.postThaw();
    assertThat(agent.execCalls()).isZero();
  }

  private HookRound round(SnapshotHooks hooks) {
    return new HookRound(
        hooks,
        runner,
        (bound, calls) -> calls.accept(agent),
        T0.plusSeconds(600),
        Duration.ofSeconds(5));
  }

  private static SnapshotHooks hooks(List<GuestHook> pre, List<GuestHook> post) {
    SnapshotHooks hooks = new SnapshotHooks();
    hooks.setPreFreeze(pre);
    hooks.setPostThaw(post);
    return hooks;
  }

  private static GuestHook hook(String command, String... args) {
    GuestHook hook = new GuestHook();
    hook.setCommand(command);
    hook.setArgs(List.of(args));
    return hook;
  }
}
