package io.quiesce.freeze;

import io.micrometer.core.instrument.MeterRegistry;
import io.quiesce.agent.AgentException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.runtime.logging.CarriedLogContext;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freezes and thaws the guests of one node, and guarantees that none stays frozen: every freeze has
 * a watchdog that thaws at its deadline (aborting a hung agent call and thawing over a fresh
 * connection), thaws are retried until the agent confirms them, thaws that cannot be confirmed are
 * retried in the background ({@link #guestsNeedingThaw()}), start-up {@link #recover recovery}
 * thaws guests frozen by a previous process, and {@link #shutdown} thaws what this one froze.
 *
 * <p>One freeze per guest at a time: a second request fails fast with {@link
 * FreezeInProgressException}. At most {@link FreezeEngineConfig#maxConcurrentFreezes()} freezes run
 * at once on the node; a request waits {@link FreezeEngineConfig#slotWait()} for a slot and then
 * fails with {@link FreezeCapReachedException}. The engine holds at most one agent connection per
 * guest (QGA serves one client at a time) and closes it when the freeze ends.
 */
public final class FreezeEngine implements AutoCloseable {
  /**
   * How long an idle worker thread of {@link #create(AgentConnector, FreezeEngineConfig,
   * MeterRegistry)} stays.
   */
  static final Duration IDLE_WORKER_KEEP_ALIVE = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(FreezeEngine.class);

  /**
   * One debug line per step of a freeze window (journal written, freeze reply, VolumeSnapshots
   * created, cut seen by the watch, cut seen by the window, thaw reply, thaw status), for the
   * benchmark's trace of where a window's time goes: {@code
   * QUIESCE_LOG_LEVEL=info,io.quiesce.trace=debug}.
   */
  public static final String TRACE_LOGGER = "io.quiesce.trace.window";

  private static final Logger TRACE = LoggerFactory.getLogger(TRACE_LOGGER);
  private static final Duration WAIT_SLACK = Duration.ofSeconds(1);

  private final AgentConnector connector;
  private final FreezeEngineConfig config;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final boolean ownsExecutors;
  private final FreezeMetrics metrics;
  private final ConcurrentMap<GuestRef, GuestHold> holds = new ConcurrentHashMap<>();
  private final Semaphore slots;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledFuture<?> needsThawLoop;
  private volatile FreezeRecorder recorder = FreezeRecorder.NONE;

  private FreezeEngine(
      AgentConnector connector,
      FreezeEngineConfig config,
      MeterRegistry registry,
      Clock clock,
      ScheduledExecutorService scheduler,
      ExecutorService workers,
      boolean ownsExecutors) {
    this.connector = Objects.requireNonNull(connector, "connector");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.ownsExecutors = ownsExecutors;
    this.slots = new Semaphore(config.maxConcurrentFreezes(), true);
    this.metrics = new FreezeMetrics(registry, () -> count(true), () -> count(false));
    long every = config.needsThawRetryInterval().toMillis();
    this.needsThawLoop =
        scheduler.scheduleWithFixedDelay(this::retryNeedsThaw, every, every, TimeUnit.MILLISECONDS);
  }

  /** An engine with its own daemon threads and the system clock; {@link #shutdown} stops them. */
  public static FreezeEngine create(
      AgentConnector connector, FreezeEngineConfig config, MeterRegistry registry) {
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(2, daemonThreads("quiesce-freeze-timer"));
    // guards are cancelled after almost every call: do not let them pile up in the queue
    scheduler.setRemoveOnCancelPolicy(true);
    // a cached pool whose idle threads end after seconds, not a minute: the helper is idle almost
    // all the time, and an idle thread keeps its stack and malloc arena resident
    ExecutorService workers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IDLE_WORKER_KEEP_ALIVE.toMillis(),
            TimeUnit.MILLISECONDS,
            new SynchronousQueue<>(),
            daemonThreads("quiesce-freeze-worker"));
    return new FreezeEngine(
        connector, config, registry, Clock.systemUTC(), scheduler, workers, true);
  }

  /**
   * An engine on the given clock and executors, which the caller owns and stops. The scheduler only
   * runs short tasks (timers, aborts); agent calls of thaws and recovery run on {@code workers},
   * which must not be a small fixed pool: recovery lanes wait there for thaw attempts that also run
   * there.
   */
  public static FreezeEngine create(
      AgentConnector connector,
      FreezeEngineConfig config,
      MeterRegistry registry,
      Clock clock,
      ScheduledExecutorService scheduler,
      ExecutorService workers) {
    return new FreezeEngine(connector, config, registry, clock, scheduler, workers, false);
  }

  /**
   * Writes every freeze down with {@code recorder} (the node's journal) before it is made, and
   * forgets it once its thaw is confirmed. Set once, before the first freeze.
   */
  public void recordFreezesWith(FreezeRecorder recorder) {
    this.recorder = Objects.requireNonNull(recorder, "recorder");
  }

  /**
   * Freezes the guest: checks {@code guest-fsfreeze-status} first (a guest already frozen is
   * someone else's freeze when the engine {@link FreezeRecorder#keepsRecords() keeps records}, and
   * is left alone: {@code FrozenByOther}; without records it is thawed, then frozen, and the
   * session says so), writes the freeze down with the recorder, arms the watchdog, freezes.
   *
   * @throws FreezeInProgressException a freeze of this guest is live or its thaw pending
   * @throws FreezeCapReachedException no slot of this node became free in time
   * @throws FreezeFailedException the agent could not be asked or refused; the guest was thawed
   * @throws GuestPreflightException a check of {@link FreezeOptions#preflight()} refused; nothing
   *     frozen
   * @throws IllegalArgumentException the timeout is above the configured maximum
   */
  public FreezeSession freeze(GuestRef guest, FreezeOptions options) {
    Objects.requireNonNull(guest, "guest");
    Objects.requireNonNull(options, "options");
    if (options.timeout().compareTo(config.maxFreezeTimeout()) > 0) {
      throw new IllegalArgumentException(
          "freeze timeout "
              + options.timeout().toMillis()
              + " ms is above the maximum of "
              + config.maxFreezeTimeout().toMillis()
              + " ms");
    }
    if (closed.get()) {
      throw shuttingDown();
    }
    GuestHold hold = new GuestHold(guest, GuestHold.Phase.PREPARING, connector, scheduler);
    if (holds.putIfAbsent(guest, hold) != null) {
      metrics.outcome(Reason.FREEZE_IN_PROGRESS.wire());
      throw new FreezeInProgressException(guest);
    }
    try {
      GuestPreflight preflight = options.preflight();
      if (preflight != null) {
        // before taking a slot: a just-booted guest may keep us waiting
        preflight.awaitAgent(hold, config.callTimeout(), closed::get);
      }
      takeSlot(hold);
      thawIfFrozenBeforehand(hold);
      if (preflight != null) {
        preflight.check(hold, config.callTimeout(), options);
      }
      return sendFreeze(hold, options);
    } catch (RuntimeException e) {
      // failures after the freeze command was sent are settled (and counted) when the thaw ends
      if (hold.phase() == GuestHold.Phase.PREPARING) {
        if (!hold.needsThaw()) {
          release(hold);
        }
        metrics.outcome(reasonOf(e));
      }
      throw e;
    }
  }

  /**
   * Runs {@code calls} on a connection to the guest's agent outside any freeze (the hooks before
   * and after a window). The guest is held as for a freeze, so that no freeze, thaw or recovery of
   * it runs meanwhile, and none runs while a freeze of ours may hold it frozen. The connection is
   * closed after {@code bound}, which makes a call in flight fail.
   *
   * @throws FreezeInProgressException a freeze of this guest is live or its thaw pending
   */
  public void withAgent(GuestRef guest, Duration bound, Consumer<GuestAgent> calls) {
    Objects.requireNonNull(guest, "guest");
    Objects.requireNonNull(calls, "calls");
    // allowed while shutting down: it freezes nothing, and the postThaw hooks of a window the
    // shutdown refused still run
    GuestHold hold = new GuestHold(guest, GuestHold.Phase.PREPARING, connector, scheduler);
    if (holds.putIfAbsent(guest, hold) != null) {
      throw new FreezeInProgressException(guest);
    }
    try {
      hold.ownerCall(
          agent -> {
            calls.accept(agent);
            return null;
          },
          bound);
    } finally {
      release(hold);
    }
  }

  /**
   * Freezes, runs {@code work} with the deadline, and always thaws afterwards.
   *
   * @throws FrozenWorkException the work failed (the guest was thawed; the exception has the
   *     window)
   */
  public <T> FrozenResult<T> runFrozen(GuestRef guest, FreezeOptions options, FrozenWork<T> work) {
    FreezeSession session = freeze(guest, options);
    T value;
    try {
      value = work.run(session.deadline());
    } catch (Throwable failure) {
      FreezeWindow window;
      try {
        window = session.thaw();
      } catch (FreezeException thawFailure) {
        thawFailure.addSuppressed(failure);
        throw thawFailure;
      }
      if (failure instanceof Error error) {
        throw error;
      }
      throw new FrozenWorkException(window, failure);
    }
    return new FrozenResult<>(value, session.thaw());
  }

  /**
   * Checks every guest of the inventory (in parallel, bounded) and thaws those frozen with no live
   * freeze of ours behind them: what a restarted helper does first.
   */
  public RecoveryReport recover(GuestInventory inventory) {
    return recover(inventory, RecoveryMode.THAW);
  }

  /**
   * Thaws the guests this helper's journal says it froze (each through its recorded route): those
   * found frozen are thawed, and those that cannot be reached now go on the needs-thaw list, so
   * that they are retried until thawed or seen gone. Every one thawed or found thawed is forgotten.
   */
  public RecoveryReport recoverRecorded(GuestInventory journal) {
    return recover(journal, RecoveryMode.THAW_RECORDED);
  }

  /**
   * Reads the freeze state of the inventory's guests and thaws none: a guest found frozen here is
   * not in this helper's journal, so the freeze is someone else's ({@link
   * RecoveryAction#FROZEN_NOT_OURS}).
   */
  public RecoveryReport survey(GuestInventory inventory) {
    return recover(inventory, RecoveryMode.REPORT);
  }

  private enum RecoveryMode {
    THAW,
    THAW_RECORDED,
    REPORT
  }

  private RecoveryReport recover(GuestInventory inventory, RecoveryMode mode) {
    List<GuestRef> guests = inventory.guests();
    Queue<GuestRef> queue = new ConcurrentLinkedQueue<>(guests);
    Map<GuestRef, GuestRecovery> results = new ConcurrentHashMap<>();
    int lanes = Math.max(1, Math.min(config.recoveryParallelism(), guests.size()));
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      running.add(
          workers.submit(
              () -> {
                for (GuestRef guest = queue.poll(); guest != null; guest = queue.poll()) {
                  results.put(guest, recoverOne(guest, mode));
                }
              }));
    }
    Duration perGuest = config.callTimeout().plus(chainBound(config.recoveryThawTimeout()));
    long rounds = (guests.size() + lanes - 1) / lanes;
    Instant until = clock.instant().plus(perGuest.multipliedBy(Math.max(1, rounds)));
    for (Future<?> lane : running) {
      awaitQuietly(lane, until);
    }
    List<GuestRecovery> report =
        guests.stream()
            .map(
                g ->
                    results.getOrDefault(
                        g,
                        new GuestRecovery(
                            g,
                            RecoveryAction.UNREACHABLE,
                            "not checked within " + perGuest.toMillis() + " ms",
                            perGuest.toMillis())))
            .toList();
    LOG.info(
        "recovery checked {} guest(s): {}",
        report.size(),
        report.stream()
            .collect(Collectors.groupingBy(GuestRecovery::action, Collectors.counting())));
    return new RecoveryReport(report);
  }

  /**
   * An emergency thaw of one guest, whoever froze it; never a freeze. A live freeze of ours is
   * thawed at once (its window ends with {@link ThawedBy#EMERGENCY}, its watchdog disarmed and its
   * journal entry forgotten by the confirmed thaw), a pending thaw is retried now, a freeze being
   * prepared is waited for (and thawed if it froze); then the guest's freeze status is read afresh
   * and the guest thawed if it is still frozen (someone else's freeze included).
   *
   * @param wait how long to wait for this engine's own freeze of the guest to let go
   * @return {@link RecoveryAction#THAWED}, {@link RecoveryAction#NOT_FROZEN}, or why the guest may
   *     still be frozen
   */
  public GuestRecovery thawNow(GuestRef guest, Duration wait) {
    Objects.requireNonNull(guest, "guest");
    Instant began = clock.instant();
    Instant until = began.plus(wait);
    boolean ours = false;
    for (GuestHold hold = holds.get(guest); hold != null; hold = holds.get(guest)) {
      if (hold.phase() == GuestHold.Phase.FROZEN && !hold.window.isDone()) {
        ours = true;
        startThaw(hold, ThawedBy.EMERGENCY, config.thawGiveUpAfter());
      } else if (hold.needsThaw() && !hold.thawStarted()) {
        ours = true;
        startThaw(hold, hold.thawedBy(), config.thawGiveUpAfter());
      }
      // PREPARING and RECOVERING end within their call guards; FROZEN and needs-thaw when the thaw
      // is confirmed
      awaitQuietly(hold.released, until);
      if (!hold.released.isDone()) {
        return recovery(
            guest,
            RecoveryAction.STILL_FROZEN,
            "this helper's thaw of its own freeze is not confirmed within "
                + wait.toMillis()
                + " ms; it goes on in the background",
            began);
      }
    }
    GuestRecovery checked = recoverOne(guest, RecoveryMode.THAW);
    if (ours && checked.action() == RecoveryAction.NOT_FROZEN) {
      // the agent now says thawed because our own freeze's thaw was just confirmed
      return recovery(
          guest, RecoveryAction.THAWED, "this helper's freeze was ended and confirmed", began);
    }
    return checked;
  }

  /**
   * Stops taking freezes and thaws every guest this engine froze (or could not thaw yet), waiting
   * at most {@code grace}. Idempotent.
   *
   * @return guests that may still be frozen (logged as errors)
   */
  public List<GuestRef> shutdown(Duration grace) {
    closed.set(true);
    needsThawLoop.cancel(false);
    Instant until = clock.instant().plus(grace);
    List<GuestHold> pending = List.copyOf(holds.values());
    for (GuestHold hold : pending) {
      boolean live = hold.phase() == GuestHold.Phase.FROZEN && !hold.window.isDone();
      if (live || (hold.needsThaw() && !hold.thawStarted())) {
        startThaw(hold, ThawedBy.SHUTDOWN, grace);
      }
      // PREPARING and RECOVERING holds end by themselves within their call guards
    }
    for (GuestHold hold : pending) {
      awaitQuietly(hold.released, until);
    }
    List<GuestRef> left =
        holds.values().stream().filter(GuestHold::mayBeFrozen).map(GuestHold::guest).toList();
    if (!left.isEmpty()) {
      LOG.error("shutting down while these guests may still be frozen: {}", left);
    }
    if (ownsExecutors) {
      scheduler.shutdownNow();
      workers.shutdownNow();
    }
    return left;
  }

  /** Shuts down with a 10 s grace. */
  @Override
  public void close() {
    shutdown(Duration.ofSeconds(10));
  }

  /**
   * Registers a JVM shutdown hook (SIGTERM) that {@link #shutdown shuts down} within {@code grace}.
   */
  public Thread installShutdownHook(Duration grace) {
    Thread hook = new Thread(() -> shutdown(grace), "quiesce-thaw-on-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /** Guests whose thaw was not confirmed and is being retried in the background. */
  /**
   * The longest freeze timeout this engine accepts (a longer one is refused before the guest is
   * touched).
   */
  /** The guard on every agent call the engine makes. */
  public Duration callTimeout() {
    return config.callTimeout();
  }

  public Duration maxFreezeTimeout() {
    return config.maxFreezeTimeout();
  }

  public Set<GuestRef> guestsNeedingThaw() {
    return holds.values().stream()
        .filter(GuestHold::needsThaw)
        .map(GuestHold::guest)
        .collect(Collectors.toSet());
  }

  /** Guests that may be frozen because of this engine now. */
  public Set<GuestRef> guestsFrozen() {
    return holds.values().stream()
        .filter(GuestHold::mayBeFrozen)
        .map(GuestHold::guest)
        .collect(Collectors.toSet());
  }

  /**
   * Guests whose agent answered this engine's freeze (every filesystem frozen) and that are not
   * thawed yet: unlike {@link #guestsFrozen()}, not a guest whose freeze command is still in
   * flight.
   */
  public Set<GuestRef> guestsConfirmedFrozen() {
    return holds.values().stream()
        .filter(GuestHold::confirmedFrozen)
        .map(GuestHold::guest)
        .collect(Collectors.toSet());
  }

  FreezeWindow thaw(GuestHold hold) {
    if (!hold.window.isDone()) {
      startThaw(hold, ThawedBy.CALLER, config.thawGiveUpAfter());
    }
    try {
      return hold.window.get(
          chainBound(config.thawGiveUpAfter()).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FreezeException failure) {
        throw failure;
      }
      throw new FreezeException(
          Reason.THAW_FAILED.wire(),
          "thaw of " + hold.guest() + " failed: " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new ThawNotConfirmedException(hold.guest(), "no confirmation in time; still retrying");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FreezeException(
          "Interrupted",
          "interrupted waiting for the thaw of " + hold.guest() + "; it goes on in the background",
          e);
    }
  }

  private void takeSlot(GuestHold hold) {
    try {
      if (!slots.tryAcquire(config.slotWait().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new FreezeCapReachedException(config.maxConcurrentFreezes(), config.slotWait());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FreezeException("Interrupted", "interrupted waiting for a freeze slot", e);
    }
    hold.takeSlot();
  }

  private void thawIfFrozenBeforehand(GuestHold hold) {
    FreezeState state;
    try {
      state = hold.ownerCall(GuestAgent::freezeStatus, config.callTimeout());
    } catch (FreezeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new FreezeFailedException(
          reasonOf(e),
          "could not read the freeze status of " + hold.guest() + ": " + e.getMessage(),
          e);
    }
    if (state == FreezeState.THAWED) {
      return;
    }
    if (recorder.keepsRecords()) {
      // every freeze of ours is in the journal and held until thawed: this one is someone else's
      throw new FreezeFailedException(
          Reason.FROZEN_BY_OTHER.wire(),
          hold.guest()
              + " is already frozen, not by this node"
              + " helper (a KubeVirt VirtualMachineSnapshot or a backup tool?); left frozen, not frozen again",
          null);
    }
    LOG.warn(
        "{} is frozen with no freeze of ours behind it; thawing it before freezing", hold.guest());
    ThawChain chain = startThaw(hold, ThawedBy.CALLER, config.staleThawTimeout());
    try {
      chain
          .confirmed()
          .get(chainBound(config.staleThawTimeout()).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      hold.needsThaw(true);
      throw new FreezeFailedException(
          Reason.STALE_FREEZE_NOT_THAWED.wire(),
          hold.guest()
              + " was frozen before our freeze"
              + " and could not be thawed; it stays on the needs-thaw list",
          e);
    } catch (InterruptedException e) {
      hold.needsThaw(true);
      Thread.currentThread().interrupt();
      throw new FreezeException(
          "Interrupted", "interrupted thawing a stale freeze of " + hold.guest(), e);
    }
    hold.staleFreezeThawed();
  }

  private FreezeSession sendFreeze(GuestHold hold, FreezeOptions options) {
    // the deadline counts from before the journal write (a slow disk shortens the window, never
    // lengthens it); the window itself starts after it, just before the freeze command is sent
    Instant deadline = clock.instant().plus(options.timeout());
    try {
      // durable before the freeze: a helper killed from here on is thawed by the next one
      TRACE.debug("journal-start {}", hold.guest());
      recorder.freezing(hold.guest(), deadline);
      TRACE.debug("journal-written {}", hold.guest());
    } catch (RuntimeException e) {
      throw new FreezeFailedException(
          Reason.JOURNAL_WRITE_FAILED.wire(),
          "the freeze of "
              + hold.guest()
              + " could not be"
              + " written to the node's freeze journal, so it was not made: "
              + e.getMessage(),
          e);
    }
    Instant start = clock.instant();
    if (!hold.beginFreeze(start, deadline, closed)) {
      forget(hold.guest());
      throw shuttingDown();
    }
    // the watchdog's lines (and the thaw it starts) name the caller's snapshot
    hold.armWatchdog(
        scheduler.schedule(
            CarriedLogContext.wrap(() -> onDeadline(hold)),
            millisUntil(deadline),
            TimeUnit.MILLISECONDS));
    try {
      // no call guard: the watchdog guards this call
      int count = hold.ownerCall(agent -> agent.freeze(options.mountpoints()), null);
      hold.frozen(count, clock.instant());
      TRACE.debug("freeze-reply {}", hold.guest());
      if (count == 0) {
        LOG.warn(
            "freeze of {} froze no filesystem: a snapshot now is crash-consistent only",
            hold.guest());
      } else {
        LOG.info("froze {} filesystem(s) of {} until {}", count, hold.guest(), deadline);
      }
      return new FreezeSession(this, hold);
    } catch (RuntimeException e) {
      return failedFreeze(hold, e);
    }
  }

  private FreezeSession failedFreeze(GuestHold hold, RuntimeException e) {
    boolean pastDeadline = hold.watchdogFired() || !clock.instant().isBefore(hold.deadline());
    String reason = pastDeadline ? Reason.FREEZE_CALL_PAST_DEADLINE.wire() : reasonOf(e);
    hold.failed(reason);
    LOG.warn(
        "freeze of {} failed ({}); making sure it is thawed", hold.guest(), ThawChain.describe(e));
    try {
      thaw(hold);
    } catch (FreezeException thawFailure) {
      throw new FreezeFailedException(
          reason,
          "freeze of "
              + hold.guest()
              + " failed ("
              + ThawChain.describe(e)
              + ") and its thaw was not confirmed: "
              + thawFailure.getMessage(),
          e);
    }
    throw new FreezeFailedException(
        reason,
        "freeze of "
            + hold.guest()
            + " failed ("
            + ThawChain.describe(e)
            + "); the guest is confirmed thawed",
        e);
  }

  private void onDeadline(GuestHold hold) {
    if (hold.window.isDone() || hold.needsThaw()) {
      return;
    }
    hold.noteWatchdogFired();
    metrics.watchdogThaw();
    LOG.warn("freeze deadline of {} reached; the watchdog thaws it", hold.guest());
    // whoever is inside an agent call now (the caller's freeze, a hung thaw) is stuck past the
    // deadline
    hold.abortInFlightCall("freeze deadline reached");
    startThaw(hold, ThawedBy.WATCHDOG, config.thawGiveUpAfter());
  }

  private ThawChain startThaw(GuestHold hold, ThawedBy requester, Duration giveUpAfter) {
    ThawChain candidate =
        new ThawChain(
            hold,
            clock,
            config.thawBackoff(),
            config.callTimeout(),
            scheduler,
            workers,
            this::chainEnded);
    ThawChain running = hold.claimThaw(candidate, requester);
    if (running == candidate) {
      // the owner's call in flight (e.g. a hung freeze) must not share the connection with the thaw
      hold.abortInFlightCall(null);
      candidate.start(giveUpAfter);
    }
    return running;
  }

  /**
   * A confirmed chain stays claimed on its hold, so that a late thaw request (a watchdog firing
   * just as the caller's thaw confirms) starts nothing on a guest this hold no longer owns.
   */
  private void chainEnded(
      ThawChain chain, GuestHold hold, Instant confirmedAt, ThawNotConfirmedException failure) {
    if (failure != null) {
      hold.chainEnded(chain);
      giveUp(hold, failure);
    } else if (hold.needsThaw()) {
      hold.needsThaw(false);
      LOG.info("{} is thawed at last; removed from the needs-thaw list", hold.guest());
      forget(hold.guest());
      release(hold);
    } else if (hold.phase() == GuestHold.Phase.FROZEN) {
      finishFreeze(hold, chain, confirmedAt);
    } else if (hold.phase() == GuestHold.Phase.PREPARING) {
      // a stale freeze was thawed: our own freeze goes on, and needs its own thaw later
      hold.chainEnded(chain);
    }
    // RECOVERING: the recovering thread releases the hold
  }

  private void finishFreeze(GuestHold hold, ThawChain chain, Instant confirmedAt) {
    // the window from the freeze reply (the one definition, see FreezeRecord.startTime); the
    // watchdog's deadline still counts from the send, the stricter bound on the guest
    FreezeWindow window =
        new FreezeWindow(
            hold.guest(),
            hold.windowStart(),
            confirmedAt,
            Duration.between(hold.windowStart(), confirmedAt).toMillis(),
            hold.filesystemsFrozen(),
            hold.thawedBy(),
            hold.staleFreezeThawedFirst());
    // forgotten before the hold goes: a next freeze of the guest writes its own entry after that
    forget(hold.guest());
    release(hold);
    // only chain ends complete the window, one chain at a time: record first, so a woken caller
    // sees it
    if (!hold.window.isDone()) {
      metrics.frozenFor(Duration.between(hold.windowStart(), confirmedAt));
      metrics.thawTook(Duration.between(chain.startedAt(), confirmedAt));
      metrics.outcome(outcomeReason(hold, window));
      LOG.info(
          "{} thawed (by {}) after {} ms frozen, {} filesystem(s)",
          hold.guest(),
          window.thawedBy(),
          window.durationMs(),
          window.filesystemsFrozen());
      hold.window.complete(window);
    }
  }

  private void giveUp(GuestHold hold, ThawNotConfirmedException failure) {
    if (hold.leftNode() != null) {
      handOff(hold, failure);
      return;
    }
    boolean first = !hold.needsThaw();
    hold.needsThaw(true);
    hold.cancelWatchdog();
    hold.closeConnection();
    giveBackSlot(hold);
    if (first) {
      metrics.thawGaveUp();
      LOG.error(
          "GUEST MAY STAY FROZEN: {}; it stays on the needs-thaw list, retried every {} ms",
          failure.getMessage(),
          config.needsThawRetryInterval().toMillis());
    } else {
      LOG.warn("retry on the needs-thaw list failed: {}", failure.getMessage());
    }
    if (hold.phase() == GuestHold.Phase.FROZEN && !hold.window.isDone()) {
      metrics.outcome(failure.reason());
      hold.window.completeExceptionally(failure);
    }
  }

  /**
   * The guest is no longer on this node (it migrated while frozen): stop trying sockets that lead
   * nowhere; the window fails with {@code ThawNotConfirmed}, which the operator acts on.
   */
  private void handOff(GuestHold hold, ThawNotConfirmedException failure) {
    metrics.thawHandedOff();
    LOG.error("GUEST MAY STAY FROZEN: {}; this helper stops trying", failure.getMessage());
    hold.needsThaw(false);
    // settled before the waiting caller wakes up
    forget(hold.guest());
    release(hold);
    if (hold.phase() == GuestHold.Phase.FROZEN && !hold.window.isDone()) {
      metrics.outcome(failure.reason());
      hold.window.completeExceptionally(failure);
    }
  }

  private void forget(GuestRef guest) {
    try {
      recorder.forget(guest);
    } catch (RuntimeException e) {
      LOG.warn("could not forget the journal entry of {}: {}", guest, e.getMessage());
    }
  }

  private GuestRecovery recoverOne(GuestRef guest, RecoveryMode mode) {
    Instant began = clock.instant();
    GuestHold hold = new GuestHold(guest, GuestHold.Phase.RECOVERING, connector, scheduler);
    if (holds.putIfAbsent(guest, hold) != null) {
      return recovery(
          guest,
          RecoveryAction.SKIPPED_LIVE_FREEZE,
          "a freeze of ours or a pending thaw holds it",
          began);
    }
    FreezeState state;
    try {
      state = hold.ownerCall(GuestAgent::freezeStatus, config.callTimeout());
    } catch (RuntimeException e) {
      if (mode == RecoveryMode.THAW_RECORDED) {
        // we froze it: keep trying (the needs-thaw loop, which also looks the guest up again)
        hold.needsThaw(true);
        return recovery(
            guest,
            RecoveryAction.UNREACHABLE,
            ThawChain.describe(e) + "; on the needs-thaw list",
            began);
      }
      release(hold);
      return recovery(guest, RecoveryAction.UNREACHABLE, ThawChain.describe(e), began);
    }
    if (state == FreezeState.THAWED) {
      if (mode == RecoveryMode.THAW_RECORDED) {
        forget(guest);
      }
      release(hold);
      return recovery(guest, RecoveryAction.NOT_FROZEN, "thawed", began);
    }
    if (mode == RecoveryMode.REPORT) {
      release(hold);
      metrics.foreignFreeze();
      LOG.warn("{} is frozen, but not by this helper (not in its journal); left frozen", guest);
      return recovery(
          guest, RecoveryAction.FROZEN_NOT_OURS, "frozen by someone else; left alone", began);
    }
    LOG.warn("{} is frozen with no live freeze of ours behind it; recovery thaws it", guest);
    ThawChain chain = startThaw(hold, ThawedBy.CALLER, config.recoveryThawTimeout());
    try {
      chain
          .confirmed()
          .get(chainBound(config.recoveryThawTimeout()).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // a chain still running after its bound ends on the needs-thaw list too
      hold.needsThaw(true);
      String why =
          e instanceof ExecutionException ? e.getCause().getMessage() : "no confirmation in time";
      return recovery(guest, RecoveryAction.STILL_FROZEN, why + "; on the needs-thaw list", began);
    } catch (InterruptedException e) {
      hold.needsThaw(true);
      Thread.currentThread().interrupt();
      return recovery(
          guest, RecoveryAction.STILL_FROZEN, "interrupted; thaw goes on in the background", began);
    }
    if (mode == RecoveryMode.THAW_RECORDED) {
      forget(guest);
    }
    release(hold);
    metrics.recoveryThaw();
    return recovery(guest, RecoveryAction.THAWED, "was frozen with no live freeze; thawed", began);
  }

  private GuestRecovery recovery(
      GuestRef guest, RecoveryAction action, String detail, Instant began) {
    return new GuestRecovery(
        guest, action, detail, Duration.between(began, clock.instant()).toMillis());
  }

  private void retryNeedsThaw() {
    try {
      for (GuestHold hold : holds.values()) {
        if (hold.needsThaw() && !hold.thawStarted()) {
          startThaw(hold, hold.thawedBy(), config.thawGiveUpAfter());
        }
      }
    } catch (RuntimeException e) {
      // a failure here must not end the periodic loop
      LOG.error("needs-thaw retry loop failed", e);
    }
  }

  private void release(GuestHold hold) {
    hold.cancelWatchdog();
    hold.closeConnection();
    giveBackSlot(hold);
    holds.remove(hold.guest(), hold);
    hold.released.complete(null);
  }

  private void giveBackSlot(GuestHold hold) {
    if (hold.giveBackSlot()) {
      slots.release();
    }
  }

  private int count(boolean frozen) {
    return (int)
        holds.values().stream()
            .filter(frozen ? GuestHold::mayBeFrozen : GuestHold::needsThaw)
            .count();
  }

  /** How long a thaw chain can run: its give-up time, plus one last attempt (two guarded calls). */
  private Duration chainBound(Duration giveUpAfter) {
    return giveUpAfter.plus(config.callTimeout().multipliedBy(2)).plus(WAIT_SLACK);
  }

  /** Rounded up, so that a timer set with it never fires before {@code instant}. */
  private long millisUntil(Instant instant) {
    long nanos = Duration.between(clock.instant(), instant).toNanos();
    return Math.max(0, (nanos + 999_999) / 1_000_000);
  }

  private void awaitQuietly(Future<?> future, Instant until) {
    try {
      future.get(millisUntil(until), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // reported by the caller from the state it finds
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String outcomeReason(GuestHold hold, FreezeWindow window) {
    if (hold.failureReason() != null) {
      return hold.failureReason();
    }
    if (!window.anyFilesystemFrozen()) {
      return FreezeMetrics.NOTHING_FROZEN;
    }
    return switch (window.thawedBy()) {
      case CALLER -> Reason.THAWED.wire();
      case WATCHDOG -> FreezeMetrics.WATCHDOG_THAWED;
      case SHUTDOWN -> FreezeMetrics.SHUTDOWN_THAWED;
      case EMERGENCY -> Reason.EMERGENCY_THAW.wire();
    };
  }

  private static String reasonOf(RuntimeException e) {
    if (e instanceof AgentException agent) {
      return agent.reason();
    }
    if (e instanceof FreezeException freeze) {
      return freeze.reason();
    }
    return Reason.AGENT_CALL_FAILED.wire();
  }

  private static FreezeException shuttingDown() {
    return new FreezeException(
        Reason.SHUTTING_DOWN.wire(), "the node helper is shutting down", null);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
