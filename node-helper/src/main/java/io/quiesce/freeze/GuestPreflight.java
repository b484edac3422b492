package io.quiesce.freeze;

import io.quiesce.agent.AgentCommandFailedException;
import io.quiesce.agent.AgentCommandUnavailableException;
import io.quiesce.agent.AgentException;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestInfo;
import io.quiesce.agent.GuestOsInfo;
import io.quiesce.agent.QgaClient;
import io.quiesce.status.BoundedText;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks on the guest, made by the {@link FreezeEngine} on the freeze's own agent connection before
 * it sends the freeze command: each refusal is a {@link GuestPreflightException} with a stable
 * reason and a message that says how to fix it; nothing is frozen then.
 *
 * <ul>
 *   <li>{@link #awaitAgent}: a guest that has just booted may not run its agent yet; ping it with a
 *       bounded backoff until {@link #agentReadyBy()} ({@link #AGENT_NOT_READY}).
 *   <li>{@link #check}: {@code guest-info} says the freeze or thaw commands are disabled ({@link
 *       #AGENT_FREEZE_DISABLED}); a Windows guest ({@code guest-get-osinfo}) asked to stay frozen
 *       longer than VSS holds writes ({@link #WINDOWS_FREEZE_TIMEOUT_TOO_LONG}).
 *   <li>{@link #explainFreezeFailure}: a refused freeze whose agent message points at SELinux in
 *       the guest ({@link #GUEST_SELINUX_DENIED}).
 * </ul>
 */
public final class GuestPreflight {
  /**
   * The agent has a freeze or thaw command disabled (or does not offer it): nothing can be frozen.
   */
  public static final String AGENT_FREEZE_DISABLED = Reason.AGENT_FREEZE_DISABLED.wire();

  /** The agent did not answer before the snapshot's deadline left no room to freeze. */
  public static final String AGENT_NOT_READY = Reason.AGENT_NOT_READY.wire();

  /** A Windows guest and a {@code quiesce.timeout} above what VSS holds. */
  public static final String WINDOWS_FREEZE_TIMEOUT_TOO_LONG =
      Reason.WINDOWS_FREEZE_TIMEOUT_TOO_LONG.wire();

  /** The guest refused the freeze with a permission error, as its SELinux policy does. */
  public static final String GUEST_SELINUX_DENIED = Reason.GUEST_SELINUX_DENIED.wire();

  /** Every reason this class gives. */
  public static final Set<String> REASONS = Reason.GUEST_CHECKS;

  /** How long Windows' VSS holds writes at most; longer and the thaw reports the freeze as lost. */
  public static final Duration VSS_HOLD_LIMIT = Duration.ofSeconds(10);

  /** The most of a guest's own text that goes into a message. */
  static final int MAX_GUEST_TEXT = 200;

  private static final Backoff DEFAULT_BACKOFF =
      new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));
  private static final long SLEEP_SLICE_MS = 100;

  /**
   * What qemu-ga's errno text (EACCES) or an SELinux-aware agent says when the policy denies a
   * freeze.
   */
  private static final Pattern SELINUX_DENIAL =
      Pattern.compile("permission denied|\\bavc\\b|selinux", Pattern.CASE_INSENSITIVE);

  private static final Logger LOG = LoggerFactory.getLogger(GuestPreflight.class);

  private final Instant agentReadyBy;
  private final Backoff backoff;
  private final Clock clock;

  /**
   * @param agentReadyBy until when to wait for the agent to answer; null: one attempt, no wait
   * @param backoff the waits between attempts
   * @param clock the clock {@code agentReadyBy} is on
   */
  public GuestPreflight(Instant agentReadyBy, Backoff backoff, Clock clock) {
    this.agentReadyBy = agentReadyBy;
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Waits for the agent until {@code agentReadyBy} (0.25 s, doubling, at most 5 s between
   * attempts).
   */
  public static GuestPreflight waitingUntil(Instant agentReadyBy, Clock clock) {
    return new GuestPreflight(agentReadyBy, DEFAULT_BACKOFF, clock);
  }

  public Instant agentReadyBy() {
    return agentReadyBy;
  }

  /**
   * Pings the agent (a fresh connection also runs {@code guest-sync}) until it answers. Only "does
   * not answer (yet)" is retried; any other failure is the caller's to report.
   *
   * @param stopping true when the engine shuts down: stop waiting
   * @throws GuestPreflightException {@link #AGENT_NOT_READY} when {@code agentReadyBy} passes first
   */
  void awaitAgent(GuestHold hold, Duration guard, BooleanSupplier stopping) {
    int failed = 0;
    while (true) {
      try {
        hold.ownerCall(
            agent -> {
              agent.ping();
              return null;
            },
            guard);
        if (failed > 0) {
          LOG.info("the agent of {} answers after {} attempt(s)", hold.guest(), failed + 1);
        }
        return;
      } catch (RuntimeException e) {
        if (!notAnsweringYet(e)) {
          throw asFreezeFailure(hold, "could not reach the agent", e);
        }
        failed++;
        Instant now = clock.instant();
        Duration left = agentReadyBy == null ? Duration.ZERO : Duration.between(now, agentReadyBy);
        if (left.isNegative() || left.isZero() || stopping.getAsBoolean()) {
          throw new GuestPreflightException(
              AGENT_NOT_READY,
              "the guest agent of "
                  + hold.guest()
                  + " did not answer after "
                  + failed
                  + " attempt(s)"
                  + (agentReadyBy == null
                      ? ""
                      : ", the last before "
                          + agentReadyBy
                          + " (the snapshot's failureDeadline minus its"
                          + " quiesce.timeout)")
                  + ": "
                  + bounded(e.getMessage())
                  + ". The guest may still be"
                  + " booting, or qemu-guest-agent does not run in it: start (and enable) the"
                  + " qemu-guest-agent service in the guest, or take the snapshot later",
              e);
        }
        Duration wait = backoff.delayAfter(failed);
        sleep(wait.compareTo(left) < 0 ? wait : left, stopping);
      }
    }
  }

  /**
   * The checks made right before the freeze command, after any stale freeze was thawed (a frozen
   * agent reports the freeze commands disabled and refuses {@code guest-get-osinfo}).
   *
   * @throws GuestPreflightException when the freeze must not be sent
   */
  void check(GuestHold hold, Duration guard, FreezeOptions options) {
    checkFreezeCommandsEnabled(hold, guard, options);
    checkWindowsHoldLimit(hold, guard, options);
  }

  /**
   * The preflight reason for a freeze that the guest refused, when its error points at SELinux in
   * the guest: the agent's text says "Permission denied" (EACCES from FIFREEZE or from opening the
   * mount), "avc" or "SELinux".
   */
  public static Optional<GuestPreflightException> explainFreezeFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AgentCommandFailedException agent
          && isFreezeCommand(agent.command())
          && agent.agentMessage() != null
          && SELINUX_DENIAL.matcher(agent.agentMessage()).find()) {
        return Optional.of(
            new GuestPreflightException(
                GUEST_SELINUX_DENIED,
                "the guest refused to freeze: "
                    + agent.command()
                    + " answered \""
                    + bounded(agent.agentMessage())
                    + "\". A permission error"
                    + " on a freeze is most often the guest's SELinux policy denying qemu-guest-agent (domain"
                    + " virt_qemu_ga_t) the FIFREEZE ioctl on one of its mounts. In the guest, 'ausearch -m avc"
                    + " -c qemu-ga' shows the denial; relabel that mount (restorecon) or allow it with a local"
                    + " policy module (audit2allow -M), or freeze only the mounts the policy allows with"
                    + " spec.quiesce.mountpoints",
                failure));
      }
    }
    return Optional.empty();
  }

  private void checkFreezeCommandsEnabled(GuestHold hold, Duration guard, FreezeOptions options) {
    GuestInfo info;
    try {
      info = hold.ownerCall(GuestAgent::info, guard);
    } catch (AgentCommandUnavailableException e) {
      // an agent that blocks guest-info itself: the freeze says for itself whether it is allowed
      LOG.warn(
          "{}: guest-info is not available ({}); freezing without checking the freeze commands",
          hold.guest(),
          e.reason());
      return;
    } catch (RuntimeException e) {
      throw asFreezeFailure(hold, "could not read guest-info", e);
    }
    List<String> needed =
        List.of(
            options.mountpoints().isEmpty() ? QgaClient.FREEZE : QgaClient.FREEZE_LIST,
            QgaClient.THAW);
    List<String> disabled = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String command : needed) {
      Boolean enabled = info.commands().get(command);
      if (enabled == null) {
        missing.add(command);
      } else if (!enabled) {
        disabled.add(command);
      }
    }
    if (disabled.isEmpty() && missing.isEmpty()) {
      return;
    }
    List<String> facts = new ArrayList<>();
    if (!disabled.isEmpty()) {
      facts.add("guest-info lists " + String.join(", ", disabled) + " as disabled");
    }
    if (!missing.isEmpty()) {
      facts.add("guest-info does not list " + String.join(", ", missing) + " (too old an agent)");
    }
    StringBuilder message =
        new StringBuilder("the guest agent (version ")
            .append(bounded(info.version()))
            .append(") cannot freeze: ")
            .append(String.join(" and ", facts));
    message.append(
        ". Nothing was frozen. qemu-guest-agent disables commands named by --block-rpcs (-b, formerly"
            + " --blacklist) or left out of --allow-rpcs (-a), on its command line or in its configuration"
            + " (/etc/qemu/qemu-ga.conf, or /etc/sysconfig/qemu-ga on RHEL-like guests): allow"
            + " guest-fsfreeze-freeze, guest-fsfreeze-freeze-list, guest-fsfreeze-thaw and"
            + " guest-fsfreeze-status, and restart the agent; or set spec.quiesce.mode: BestEffort to accept"
            + " crash-consistent snapshots");
    throw new GuestPreflightException(AGENT_FREEZE_DISABLED, message.toString(), null);
  }

  private void checkWindowsHoldLimit(GuestHold hold, Duration guard, FreezeOptions options) {
    if (options.timeout().compareTo(VSS_HOLD_LIMIT) <= 0) {
      return; // within what every guest holds: no call needed
    }
    GuestOsInfo os;
    try {
      os = hold.ownerCall(GuestAgent::osInfo, guard);
    } catch (AgentCommandUnavailableException e) {
      // an agent that does not say (too old, or blocked): Linux agents never thaw by themselves
      LOG.info(
          "{}: guest-get-osinfo is not available ({}); cannot tell a Windows guest",
          hold.guest(),
          e.reason());
      return;
    } catch (RuntimeException e) {
      throw asFreezeFailure(hold, "could not read guest-get-osinfo", e);
    }
    if (os.isWindows()) {
      throw new GuestPreflightException(
          WINDOWS_FREEZE_TIMEOUT_TOO_LONG,
          "the guest runs Windows ("
              + bounded(Objects.requireNonNullElse(os.prettyName(), os.id()))
              + "), whose VSS holds writes for at"
              + " most "
              + VSS_HOLD_LIMIT.toSeconds()
              + " s, and spec.quiesce.timeout asks for "
              + options.timeout().toMillis()
              + " ms: a freeze that long would end unnoticed inside the window"
              + " and the snapshot would not be consistent. Nothing was frozen. Set spec.quiesce.timeout to"
              + " 10s or less",
          null);
    }
  }

  /**
   * Reasons a ping fails while an agent is starting (or not running): not answering, or not
   * connected.
   */
  private static boolean notAnsweringYet(RuntimeException e) {
    String reason =
        e instanceof AgentException a
            ? a.reason()
            : e instanceof FreezeException f ? f.reason() : "";
    if (Reason.AGENT_NOT_RESPONDING.is(reason) || Reason.AGENT_TIMEOUT.is(reason)) {
      return true;
    }
    // libvirt: "QEMU guest agent is not connected" until the guest opens its end of the channel
    return Reason.AGENT_UNAVAILABLE.is(reason)
        && String.valueOf(e.getMessage()).contains("not connected");
  }

  /**
   * Like the engine's own failures before a freeze: a {@link FreezeException} with the agent's
   * reason.
   */
  private static FreezeException asFreezeFailure(GuestHold hold, String what, RuntimeException e) {
    if (e instanceof FreezeException freeze) {
      return freeze;
    }
    String reason =
        e instanceof AgentException agent ? agent.reason() : Reason.AGENT_CALL_FAILED.wire();
    return new FreezeFailedException(
        reason, what + " of " + hold.guest() + ": " + e.getMessage(), e);
  }

  private static boolean isFreezeCommand(String command) {
    return QgaClient.FREEZE.equals(command) || QgaClient.FREEZE_LIST.equals(command);
  }

  /**
   * A guest's text for a message: stripped and cut by the one rule for guest text ({@link
   * BoundedText}).
   */
  static String bounded(String text) {
    return text == null ? "" : BoundedText.bound(text, MAX_GUEST_TEXT);
  }

  private static void sleep(Duration wait, BooleanSupplier stopping) {
    long until = System.nanoTime() + wait.toNanos();
    try {
      for (long left = wait.toMillis();
          left > 0 && !stopping.getAsBoolean();
          left = (until - System.nanoTime()) / 1_000_000) {
        Thread.sleep(Math.min(left, SLEEP_SLICE_MS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FreezeException("Interrupted", "interrupted waiting for the guest agent", e);
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "GuestPreflight[agentReadyBy=%s]", agentReadyBy);
  }
}
