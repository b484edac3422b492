package io.quiesce.freeze;

import io.quiesce.agent.AgentException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.runtime.logging.CarriedLogContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of thaw attempts for one guest: thaw, then ask {@code guest-fsfreeze-status}, until the
 * agent says {@code thawed}; between attempts a {@link Backoff} wait (on the scheduler, holding no
 * thread); after {@code giveUpAfter} it stops and fails {@link #confirmed()}. Every attempt logs
 * with the log context (the snapshot) of whoever started the chain.
 */
final class ThawChain {
  private static final Logger LOG = LoggerFactory.getLogger(ThawChain.class);
  private static final Logger TRACE = LoggerFactory.getLogger(FreezeEngine.TRACE_LOGGER);

  private final GuestHold hold;
  private final Clock clock;
  private final Backoff backoff;
  private final Duration callTimeout;
  private final ScheduledExecutorService scheduler;
  private final Executor workers;
  private final Listener listener;
  private final CompletableFuture<Instant> confirmed = new CompletableFuture<>();
  private Instant startedAt;
  private Instant giveUpAt;
  private int failedAttempts;

  /**
   * The look at the guest's whereabouts started after a failed attempt; its API call never holds up
   * an attempt.
   */
  private CompletableFuture<Reroute> lookup;

  /**
   * Told of the end of a chain before {@link #confirmed()} completes, so waiters see its
   * bookkeeping done.
   */
  interface Listener {
    void chainEnded(
        ThawChain chain, GuestHold hold, Instant confirmedAt, ThawNotConfirmedException failure);
  }

  ThawChain(
      GuestHold hold,
      Clock clock,
      Backoff backoff,
      Duration callTimeout,
      ScheduledExecutorService scheduler,
      Executor workers,
      Listener listener) {
    this.hold = hold;
    this.clock = clock;
    this.backoff = backoff;
    this.callTimeout = callTimeout;
    this.scheduler = scheduler;
    this.workers = workers;
    this.listener = listener;
  }

  /** Starts the attempts; the first runs at once on a worker. */
  void start(Duration giveUpAfter) {
    startedAt = clock.instant();
    giveUpAt = startedAt.plus(giveUpAfter);
    submitAttempt();
  }

  /**
   * Completes with the time the guest was thawed (the reply to the thaw that the status call then
   * confirmed), or fails with {@link ThawNotConfirmedException}.
   */
  CompletableFuture<Instant> confirmed() {
    return confirmed;
  }

  Instant startedAt() {
    return startedAt;
  }

  private void submitAttempt() {
    try {
      workers.execute(CarriedLogContext.wrap(this::attempt));
    } catch (RejectedExecutionException e) {
      fail("engine stopped");
    }
  }

  private void attempt() {
    TRACE.debug("thaw-start {}", hold.guest());
    String error;
    try {
      Instant thawedAt = thawOnce();
      if (thawedAt != null) {
        succeed(thawedAt);
        return;
      }
      error = "agent still reports frozen after thaw";
    } catch (RuntimeException e) {
      error = describe(e);
    }
    failedAttempts++;
    Duration wait = backoff.delayAfter(failedAttempts);
    // a guest that migrated while frozen is not behind the socket its freeze used any more
    Reroute where = lookupResult();
    if (where.outcome() == Reroute.Outcome.LEFT_NODE) {
      hold.leftNode(where.detail());
      fail(
          failedAttempts
              + " attempt(s), last: "
              + error
              + "; "
              + where.detail()
              + "; no longer on this node, left to the operator");
      return;
    }
    if (where.outcome() == Reroute.Outcome.CHANGED) {
      LOG.warn(
          "{} is reached another way now ({}); retrying the thaw that way",
          hold.guest(),
          where.detail());
      wait = Duration.ZERO;
    }
    if (clock.instant().plus(wait).isAfter(giveUpAt)) {
      fail(
          failedAttempts
              + " attempt(s) in "
              + Duration.between(startedAt, clock.instant()).toMillis()
              + " ms, last: "
              + error);
      return;
    }
    LOG.warn(
        "thaw attempt {} of {} failed ({}); next in {} ms",
        failedAttempts,
        hold.guest(),
        error,
        wait.toMillis());
    try {
      scheduler.schedule(
          CarriedLogContext.wrap(this::submitAttempt), wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      fail("engine stopped; " + error);
    }
  }

  /**
   * The result of the lookup started after an earlier failed attempt, if it is done (then the next
   * one starts); {@link Reroute#UNCHANGED} while it runs. An unreachable API server can take many
   * seconds to answer: the attempts go on meanwhile.
   */
  private Reroute lookupResult() {
    Reroute done = Reroute.UNCHANGED;
    if (lookup != null && lookup.isDone()) {
      done = lookup.getNow(Reroute.UNCHANGED);
      lookup = null;
    }
    if (lookup == null && done.outcome() == Reroute.Outcome.UNCHANGED) {
      try {
        lookup = CompletableFuture.supplyAsync(hold::reroute, workers);
      } catch (RejectedExecutionException e) {
        lookup = null;
      }
    }
    return done;
  }

  private void succeed(Instant confirmedAt) {
    try {
      listener.chainEnded(this, hold, confirmedAt, null);
    } finally {
      confirmed.complete(confirmedAt);
    }
  }

  private void fail(String why) {
    ThawNotConfirmedException failure = new ThawNotConfirmedException(hold.guest(), why);
    try {
      listener.chainEnded(this, hold, null, failure);
    } finally {
      confirmed.completeExceptionally(failure);
    }
  }

  /**
   * One thaw and the status call that confirms it.
   *
   * @return when the guest was thawed: the thaw's reply (the agent answers once its filesystems are
   *     thawed), or the status's reply when the thaw itself failed; null while it is still frozen
   */
  private Instant thawOnce() {
    RuntimeException thawError = null;
    Instant replied = null;
    try {
      hold.thawCall(GuestAgent::thaw, callTimeout);
      replied = clock.instant();
      TRACE.debug("thaw-reply {}", hold.guest());
    } catch (RuntimeException e) {
      // a thaw can fail and still leave the guest thawed (Windows VSS past its 10 s limit):
      // only the status decides
      thawError = e;
    }
    FreezeState state = hold.thawCall(GuestAgent::freezeStatus, callTimeout);
    TRACE.debug("thaw-status {} {}", hold.guest(), state);
    if (state == FreezeState.THAWED) {
      if (thawError != null) {
        LOG.info(
            "thaw of {} reported {} but the agent says thawed", hold.guest(), describe(thawError));
      }
      return replied != null ? replied : clock.instant();
    }
    if (thawError != null) {
      throw thawError;
    }
    return null;
  }

  static String describe(RuntimeException e) {
    String reason =
        e instanceof AgentException agent
            ? agent.reason()
            : e instanceof FreezeException freeze ? freeze.reason() : e.getClass().getSimpleName();
    return reason + ": " + e.getMessage();
  }
}
