package io.quiesce.freeze;

import io.quiesce.agent.GuestAgent;
import io.quiesce.status.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's claim on one guest, from the first agent call until the guest is confirmed thawed:
 * its presence in the engine's map is the per-guest lock. Owns the one agent connection to the
 * guest, knows which call is in flight so the watchdog can abort it, and records the freeze facts.
 */
final class GuestHold {
  private static final Logger LOG = LoggerFactory.getLogger(GuestHold.class);

  enum Phase {
    /** Reading the freeze status, maybe thawing a stale freeze; our freeze not sent yet. */
    PREPARING,
    /** Our freeze command was sent: the guest may be frozen until a thaw is confirmed. */
    FROZEN,
    /** Start-up recovery: checking, maybe thawing, a guest we did not freeze. */
    RECOVERING
  }

  private final GuestRef guest;
  private final AgentConnector connector;
  private final ScheduledExecutorService scheduler;

  // guarded by this
  private Phase phase;
  private GuestAgent connection;
  private GuestAgent busy;
  private ThawChain chain;
  private ThawedBy thawedBy;
  private ScheduledFuture<?> watchdog;

  private volatile Instant freezeStart;
  private volatile Instant deadline;
  private volatile int filesystemsFrozen;
  private volatile Instant frozenAt;
  private volatile boolean staleFreezeThawedFirst;
  private volatile boolean needsThaw;
  private volatile String failureReason;
  private volatile boolean watchdogFired;
  private volatile String leftNode;
  private final AtomicBoolean slotHeld = new AtomicBoolean();

  /** The freeze window, or the reason there is none; completed once. */
  final CompletableFuture<FreezeWindow> window = new CompletableFuture<>();

  /**
   * Completed when the hold leaves the engine: the guest is confirmed thawed or was never frozen by
   * us.
   */
  final CompletableFuture<Void> released = new CompletableFuture<>();

  GuestHold(
      GuestRef guest, Phase phase, AgentConnector connector, ScheduledExecutorService scheduler) {
    this.guest = guest;
    this.phase = phase;
    this.connector = connector;
    this.scheduler = scheduler;
  }

  GuestRef guest() {
    return guest;
  }

  /**
   * A call by the thread that owns the freeze (status, freeze); refused once a thaw was requested,
   * so that the owner and a thaw chain never share the connection.
   */
  <T> T ownerCall(Function<GuestAgent, T> call, Duration guard) {
    return call(call, guard, true);
  }

  /** A call by the thaw chain. */
  <T> T thawCall(Function<GuestAgent, T> call, Duration guard) {
    return call(call, guard, false);
  }

  private <T> T call(Function<GuestAgent, T> call, Duration guard, boolean refuseWhileThawing) {
    GuestAgent agent = connection();
    synchronized (this) {
      if (refuseWhileThawing && chain != null) {
        throw new FreezeFailedException(
            Reason.THAW_REQUESTED.wire(), "a thaw of " + guest + " was requested meanwhile", null);
      }
      busy = agent;
    }
    AtomicBoolean guardFired = new AtomicBoolean();
    ScheduledFuture<?> guardTask =
        guard == null
            ? null
            : scheduler.schedule(
                () -> {
                  guardFired.set(true);
                  abort(agent, "no reply within " + guard.toMillis() + " ms");
                },
                guard.toMillis(),
                TimeUnit.MILLISECONDS);
    try {
      return call.apply(agent);
    } catch (RuntimeException e) {
      // after a failed call the stream may be out of step: the next call starts on a fresh
      // connection
      abort(agent, null);
      if (guardFired.get()) {
        throw new FreezeException(
            Reason.AGENT_TIMEOUT.wire(),
            "no reply within " + guard.toMillis() + " ms; connection closed",
            e);
      }
      throw e;
    } finally {
      synchronized (this) {
        if (busy == agent) {
          busy = null;
        }
      }
      if (guardTask != null) {
        guardTask.cancel(false);
      }
    }
  }

  private GuestAgent connection() {
    synchronized (this) {
      if (connection != null) {
        return connection;
      }
    }
    // opening is outside the lock: the watchdog must be able to abort meanwhile
    GuestAgent opened = connector.open(guest);
    synchronized (this) {
      if (connection == null) {
        connection = opened;
        return opened;
      }
    }
    opened.close();
    return connection();
  }

  /** Closes the connection a call is in flight on, if any, so that the call ends now. */
  void abortInFlightCall(String why) {
    GuestAgent inFlight;
    synchronized (this) {
      inFlight = busy;
    }
    if (inFlight != null) {
      abort(inFlight, why);
    }
  }

  private void abort(GuestAgent agent, String why) {
    synchronized (this) {
      if (connection == agent) {
        connection = null;
      }
    }
    if (why != null) {
      LOG.warn("aborting agent connection to {}: {}", guest, why);
    }
    agent.close();
  }

  void closeConnection() {
    GuestAgent current;
    synchronized (this) {
      current = connection;
      connection = null;
    }
    if (current != null) {
      current.close();
    }
  }

  /**
   * Moves to {@link Phase#FROZEN} unless a thaw was requested meanwhile; from here on the guest may
   * be frozen.
   */
  synchronized boolean beginFreeze(
      Instant start, Instant freezeDeadline, AtomicBoolean engineClosed) {
    // read under this lock: shutdown sets the flag first, then looks at our phase under the lock
    if (chain != null || engineClosed.get()) {
      return false;
    }
    phase = Phase.FROZEN;
    freezeStart = start;
    deadline = freezeDeadline;
    return true;
  }

  synchronized void armWatchdog(ScheduledFuture<?> task) {
    watchdog = task;
  }

  synchronized void cancelWatchdog() {
    if (watchdog != null) {
      watchdog.cancel(false);
    }
  }

  /**
   * Starts {@code candidate} as this guest's thaw chain unless one is already running; notes who
   * asked first. Returns the chain that is running.
   */
  synchronized ThawChain claimThaw(ThawChain candidate, ThawedBy requester) {
    if (thawedBy == null || requester == ThawedBy.WATCHDOG || requester == ThawedBy.EMERGENCY) {
      // the watchdog overrides: the thaw was not done by the deadline; an emergency thaw too: the
      // window's cuts can no longer be trusted to come while frozen
      thawedBy = requester;
    }
    if (chain == null) {
      chain = candidate;
    }
    return chain;
  }

  /**
   * Forgets an ended chain so a later thaw (needs-thaw retry, or our freeze after a stale thaw) can
   * start.
   */
  synchronized void chainEnded(ThawChain ended) {
    if (chain == ended) {
      chain = null;
    }
  }

  /** True while a thaw chain runs, and after one confirmed the thaw. */
  synchronized boolean thawStarted() {
    return chain != null;
  }

  synchronized Phase phase() {
    return phase;
  }

  synchronized ThawedBy thawedBy() {
    return thawedBy == null ? ThawedBy.CALLER : thawedBy;
  }

  /** Before our freeze: a stale freeze was thawed, the next thaw request is our own again. */
  synchronized void staleFreezeThawed() {
    staleFreezeThawedFirst = true;
    thawedBy = null;
  }

  /**
   * The agent replied to the freeze at {@code at}: {@code count} filesystems are frozen from then
   * on.
   */
  void frozen(int count, Instant at) {
    filesystemsFrozen = count;
    frozenAt = at;
  }

  /**
   * Where the freeze window starts: the agent's freeze reply (every filesystem frozen, see {@code
   * FreezeRecord.startTime}); the send time when no reply came (a freeze that failed or hung).
   */
  Instant windowStart() {
    return frozenAt != null ? frozenAt : freezeStart;
  }

  void failed(String reason) {
    failureReason = reason;
  }

  void needsThaw(boolean value) {
    needsThaw = value;
  }

  boolean needsThaw() {
    return needsThaw;
  }

  /** A fresh lookup found the guest no longer on this node: nothing here can thaw it. */
  void leftNode(String why) {
    leftNode = why;
  }

  /** Why the guest is no longer reachable from this node, or null. */
  String leftNode() {
    return leftNode;
  }

  /** Looks again where the guest is (see {@link AgentConnector#reroute}). */
  Reroute reroute() {
    try {
      return connector.reroute(guest);
    } catch (RuntimeException e) {
      LOG.warn("looking up {} again failed: {}", guest, e.getMessage());
      return Reroute.UNCHANGED;
    }
  }

  void noteWatchdogFired() {
    watchdogFired = true;
  }

  boolean watchdogFired() {
    return watchdogFired;
  }

  /** True while the guest may be frozen because of us or is a frozen guest we could not thaw. */
  /** The agent replied to the freeze and no thaw has ended the window yet. */
  boolean confirmedFrozen() {
    return frozenAt != null && phase() == Phase.FROZEN && !window.isDone();
  }

  boolean mayBeFrozen() {
    return needsThaw || (phase() == Phase.FROZEN && !window.isDone());
  }

  boolean takeSlot() {
    return slotHeld.compareAndSet(false, true);
  }

  boolean giveBackSlot() {
    return slotHeld.compareAndSet(true, false);
  }

  Instant freezeStart() {
    return freezeStart;
  }

  Instant deadline() {
    return deadline;
  }

  int filesystemsFrozen() {
    return filesystemsFrozen;
  }

  boolean staleFreezeThawedFirst() {
    return staleFreezeThawedFirst;
  }

  String failureReason() {
    return failureReason;
  }
}
