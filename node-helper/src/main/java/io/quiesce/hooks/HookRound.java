package io.quiesce.hooks;

import io.quiesce.agent.GuestAgent;
import io.quiesce.api.v1alpha1.GuestHook;
import io.quiesce.api.v1alpha1.HookPhase;
import io.quiesce.api.v1alpha1.HookRun;
import io.quiesce.api.v1alpha1.HooksRecord;
import io.quiesce.api.v1alpha1.SnapshotHooks;
import io.quiesce.status.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The hooks of one snapshot's freeze: {@link #preFreeze()} before the freeze (which first checks
 * that the agent has guest-exec enabled), {@link #postThaw()} after the thaw, and always once
 * preFreeze ran; {@link #record()} is {@code status.hooks}. Not thread-safe: the freeze window's
 * thread drives it.
 */
public final class HookRound {

  /** Opens the guest's agent for some calls, outside any freeze of the guest. */
  @FunctionalInterface
  public interface AgentAccess {
    /**
     * Runs {@code calls} on a connection to the guest's agent.
     *
     * @param bound how long the calls may take at most; the connection is closed after it
     * @throws GuestBusyException a freeze or thaw of the guest is in progress; nothing ran
     */
    void withAgent(Duration bound, Consumer<GuestAgent> calls);
  }

  /** Why the hooks stop the snapshot: a {@link Reason} wire value and a message. */
  public record Stop(String reason, String message) {}

  private final List<GuestHook> preFreeze;
  private final List<GuestHook> postThaw;
  private final HookRunner runner;
  private final AgentAccess access;
  private final Instant preFreezeNotAfter;
  private final Duration callSlack;
  private final HooksRecord record = new HooksRecord();
  private final List<HookRun> preRuns = new ArrayList<>();
  private final List<HookRun> postRuns = new ArrayList<>();
  private boolean checked;
  private boolean postThawDone;

  /**
   * @param preFreezeNotAfter when the preFreeze hooks must have ended, so that the freeze and the
   *     cut still fit before the snapshot's failureDeadline
   * @param callSlack the bound of one agent call, added per call to the connection's bound
   */
  public HookRound(
      SnapshotHooks hooks,
      HookRunner runner,
      AgentAccess access,
      Instant preFreezeNotAfter,
      Duration callSlack) {
    this.preFreeze = listOf(hooks.getPreFreeze());
    this.postThaw = listOf(hooks.getPostThaw());
    this.runner = Objects.requireNonNull(runner, "runner");
    this.access = Objects.requireNonNull(access, "access");
    this.preFreezeNotAfter = Objects.requireNonNull(preFreezeNotAfter, "preFreezeNotAfter");
    this.callSlack = Objects.requireNonNull(callSlack, "callSlack");
  }

  /** True when {@code hooks} has any hook. */
  public static boolean any(SnapshotHooks hooks) {
    return hooks != null
        && !(listOf(hooks.getPreFreeze()).isEmpty() && listOf(hooks.getPostThaw()).isEmpty());
  }

  /**
   * Refuses every hook before anything ran (e.g. the channel has no guest-exec); returns the stop
   * to record.
   */
  public Stop refuse(String message) {
    record.setReason(Reason.HOOKS_REFUSED.wire());
    record.setMessage(message);
    return new Stop(Reason.HOOKS_REFUSED.wire(), record.getMessage());
  }

  /**
   * Checks the agent's guest-exec, then runs the preFreeze hooks in order.
   *
   * @throws GuestBusyException the guest is held by a freeze or thaw; nothing ran
   * @return why the snapshot must not be frozen, or empty to go on with the freeze
   */
  public Optional<Stop> preFreeze() {
    AtomicReference<Optional<String>> refused = new AtomicReference<>(Optional.empty());
    AtomicReference<HookRunner.ListOutcome> outcome = new AtomicReference<>();
    try {
      access.withAgent(
          bound(preFreeze).plus(callSlack),
          agent -> {
            refused.set(runner.refusal(agent));
            if (refused.get().isEmpty()) {
              checked = true;
              outcome.set(
                  runner.run(agent, HookPhase.PreFreeze, preFreeze, preFreezeNotAfter, true));
            }
          });
    } catch (GuestBusyException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!checked) {
        return Optional.of(
            refuse("the guest agent could not be reached to run hooks: " + e.getMessage()));
      }
      // the connection was lost under a hook: what ran is unknown, so postThaw still runs
      record.setReason(Reason.PRE_FREEZE_HOOK_FAILED.wire());
      record.setMessage(
          "the agent connection was lost during the preFreeze hooks: " + e.getMessage());
      return Optional.of(new Stop(record.getReason(), record.getMessage()));
    }
    if (refused.get().isPresent()) {
      return Optional.of(refuse(refused.get().get()));
    }
    HookRunner.ListOutcome pre = outcome.get();
    preRuns.addAll(pre.runs());
    record.setPreFreezeMs(pre.durationMs());
    if (pre.stopped()) {
      record.setReason(Reason.PRE_FREEZE_HOOK_FAILED.wire());
      record.setMessage(pre.failure() + "; nothing frozen, postThaw hooks run");
      return Optional.of(new Stop(record.getReason(), record.getMessage()));
    }
    return Optional.empty();
  }

  /**
   * Runs the postThaw hooks, once, when the guest-exec check passed (so whenever preFreeze ran);
   * every hook runs whatever failed before it. Never throws for the guest's sake.
   */
  public void postThaw() {
    if (!checked || postThawDone) {
      return;
    }
    postThawDone = true;
    if (postThaw.isEmpty()) {
      record.setPostThawMs(0L);
      return;
    }
    AtomicReference<HookRunner.ListOutcome> outcome = new AtomicReference<>();
    try {
      access.withAgent(
          bound(postThaw),
          agent ->
              outcome.set(runner.run(agent, HookPhase.PostThaw, postThaw, Instant.MAX, false)));
    } catch (RuntimeException e) {
      // e.g. the guest is still frozen (a thaw not confirmed): no hook may run then
      for (int i = 0; i < postThaw.size(); i++) {
        HookRun run = new HookRun();
        run.setPhase(HookPhase.PostThaw);
        run.setIndex(i);
        run.setCommand(postThaw.get(i).getCommand());
        run.setReason(Reason.HOOK_AGENT_ERROR.wire());
        run.setMessage("not run: " + e.getMessage());
        postRuns.add(run);
      }
      record.setPostThawMs(0L);
      return;
    }
    postRuns.addAll(outcome.get().runs());
    record.setPostThawMs(outcome.get().durationMs());
  }

  /** {@code status.hooks} as it stands. */
  public HooksRecord record() {
    List<HookRun> runs = new ArrayList<>(preRuns);
    runs.addAll(postRuns);
    record.setRuns(runs);
    long pre = record.getPreFreezeMs() == null ? 0 : record.getPreFreezeMs();
    long post = record.getPostThawMs() == null ? 0 : record.getPostThawMs();
    record.setTotalMs(pre + post);
    return record;
  }

  /** The longest a list can take: each hook's timeout plus its agent calls. */
  private Duration bound(List<GuestHook> hooks) {
    Duration total = callSlack;
    for (GuestHook hook : hooks) {
      total = total.plus(HookRunner.timeout(hook)).plus(callSlack.multipliedBy(3));
    }
    return total;
  }

  private static List<GuestHook> listOf(List<GuestHook> hooks) {
    return hooks == null ? List.of() : List.copyOf(hooks);
  }
}
