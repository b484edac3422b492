package io.quiesce.hooks;

import io.quiesce.agent.AgentException;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestExec;
import io.quiesce.agent.GuestInfo;
import io.quiesce.api.GoDurations;
import io.quiesce.api.v1alpha1.GuestHook;
import io.quiesce.api.v1alpha1.HookErrorPolicy;
import io.quiesce.api.v1alpha1.HookPhase;
import io.quiesce.api.v1alpha1.HookRun;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs one list of hooks on a guest's agent, in order: starts each with {@code guest-exec}, polls
 * {@code guest-exec-status} every {@code pollInterval} until it exits or its timeout (or the list's
 * bound) passes, and records it. A hook past its timeout is abandoned: the agent cannot kill it.
 */
public final class HookRunner {
  /** The default poll interval of {@code guest-exec-status}. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration pollInterval;
  private final Duration callTimeout;

  /**
   * @param pollInterval the wait between two status polls of a running hook
   * @param callTimeout the bound of each agent call
   */
  public HookRunner(Clock clock, Sleeper sleeper, Duration pollInterval, Duration callTimeout) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive");
    }
    this.pollInterval = pollInterval;
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
  }

  /** Why hooks cannot run on this agent (guest-exec unknown or disabled), or empty. */
  public Optional<String> refusal(GuestAgent agent) {
    GuestInfo info;
    try {
      info = agent.info();
    } catch (AgentException e) {
      return Optional.of("guest-info failed, so guest-exec cannot be checked: " + e.getMessage());
    }
    for (String command : List.of(GuestExec.EXEC, GuestExec.EXEC_STATUS)) {
      if (!info.supports(command)) {
        Boolean listed = info.commands().get(command);
        return Optional.of(
            "the guest agent "
                + (listed == null
                    ? "does not know " + command
                    : "has " + command + " disabled (guest-info: enabled=false)")
                + "; hooks run through guest-exec, so none was run");
      }
    }
    return Optional.empty();
  }

  /**
   * The outcome of a list.
   *
   * @param runs one record per hook, in order
   * @param stopped a hook with onError Fail failed (the hooks after it did not run)
   * @param failure what failed, when {@code stopped}
   * @param durationMs the time the list took
   */
  public record ListOutcome(List<HookRun> runs, boolean stopped, String failure, long durationMs) {}

  /**
   * Runs {@code hooks} in order, each bounded by its timeout and by {@code notAfter}.
   *
   * @param stopOnFail whether a failing hook with onError Fail stops the list (preFreeze); postThaw
   *     hooks all run whatever failed before them
   */
  public ListOutcome run(
      GuestAgent agent,
      HookPhase phase,
      List<GuestHook> hooks,
      Instant notAfter,
      boolean stopOnFail) {
    Instant began = clock.instant();
    List<HookRun> runs = new ArrayList<>();
    String failure = null;
    for (int i = 0; i < hooks.size(); i++) {
      GuestHook hook = hooks.get(i);
      if (failure != null) {
        HookRun skipped = record(phase, i, hook);
        skipped.setReason(Reason.HOOK_NOT_RUN.wire());
        skipped.setMessage("not run: an earlier " + phase + " hook failed with onError Fail");
        runs.add(skipped);
        continue;
      }
      HookRun run = runOne(agent, phase, i, hook, notAfter);
      runs.add(run);
      if (stopOnFail
          && !Reason.HOOK_SUCCEEDED.is(run.getReason())
          && onError(hook) == HookErrorPolicy.Fail) {
        failure =
            phase
                + " hook "
                + i
                + " ("
                + run.getCommand()
                + ") "
                + run.getReason()
                + (run.getMessage() == null ? "" : ": " + run.getMessage());
      }
    }
    return new ListOutcome(
        List.copyOf(runs),
        failure != null,
        failure,
        Duration.between(began, clock.instant()).toMillis());
  }

  private HookRun runOne(
      GuestAgent agent, HookPhase phase, int index, GuestHook hook, Instant notAfter) {
    HookRun run = record(phase, index, hook);
    Instant start = clock.instant();
    run.setStartTime(millis(start).toString());
    Duration timeout = timeout(hook);
    Instant stopAt = start.plus(timeout);
    boolean boundedByDeadline = notAfter.isBefore(stopAt);
    if (boundedByDeadline) {
      stopAt = notAfter;
    }
    try {
      if (!start.isBefore(stopAt)) {
        run.setReason(Reason.HOOK_NOT_RUN.wire());
        run.setMessage("not run: the snapshot's failureDeadline leaves no time for it");
        return finish(run, start);
      }
      GuestExec exec = new GuestExec(agent, callTimeout);
      long pid = exec.start(hook.getCommand(), hook.getArgs());
      while (true) {
        GuestExec.Status status = exec.status(pid);
        if (status.exited()) {
          exited(run, status);
          return finish(run, start);
        }
        Duration left = Duration.between(clock.instant(), stopAt);
        if (left.isNegative() || left.isZero()) {
          run.setReason(Reason.HOOK_TIMED_OUT.wire());
          run.setMessage(
              "abandoned after "
                  + Duration.between(start, clock.instant()).toMillis()
                  + " ms ("
                  + (boundedByDeadline
                      ? "the snapshot's failureDeadline"
                      : "its timeout of " + timeout.toMillis() + " ms")
                  + "); guest-exec cannot kill it: guest process "
                  + pid
                  + " may still be running");
          return finish(run, start);
        }
        sleeper.sleep(left.compareTo(pollInterval) < 0 ? left : pollInterval);
      }
    } catch (AgentException e) {
      run.setReason(Reason.HOOK_AGENT_ERROR.wire());
      run.setMessage(e.getMessage());
      return finish(run, start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.setReason(Reason.HOOK_AGENT_ERROR.wire());
      run.setMessage("interrupted while waiting for the hook; it may still be running");
      return finish(run, start);
    }
  }

  private static void exited(HookRun run, GuestExec.Status status) {
    run.setExitCode(status.exitCode());
    run.setStdout(status.stdout());
    run.setStderr(status.stderr());
    if (status.exitCode() != null && status.exitCode() == 0) {
      run.setReason(Reason.HOOK_SUCCEEDED.wire());
    } else {
      run.setReason(Reason.HOOK_FAILED.wire());
      run.setMessage(
          status.exitCode() != null
              ? "exited with code " + status.exitCode()
              : "killed by signal " + status.signal());
    }
  }

  private HookRun finish(HookRun run, Instant start) {
    Instant end = clock.instant();
    run.setEndTime(millis(end).toString());
    run.setDurationMs(Duration.between(millis(start), millis(end)).toMillis());
    return run;
  }

  private static HookRun record(HookPhase phase, int index, GuestHook hook) {
    HookRun run = new HookRun();
    run.setPhase(phase);
    run.setIndex(index);
    run.setCommand(hook.getCommand());
    return run;
  }

  private static Instant millis(Instant t) {
    return t.truncatedTo(ChronoUnit.MILLIS);
  }

  /** The hook's timeout; the schema's default when none is set (an object nobody defaulted). */
  static Duration timeout(GuestHook hook) {
    String text = hook.getTimeout() == null ? GuestHook.DEFAULT_TIMEOUT : hook.getTimeout();
    Duration max = GoDurations.parse(GuestHook.MAX_TIMEOUT);
    Duration parsed = GoDurations.requirePositive(GoDurations.parse(text));
    // the schema bounds it; a helper never trusts that an API server checked
    return parsed.compareTo(max) > 0 ? max : parsed;
  }

  static HookErrorPolicy onError(GuestHook hook) {
    return hook.getOnError() == null ? HookErrorPolicy.Fail : hook.getOnError();
  }
}
