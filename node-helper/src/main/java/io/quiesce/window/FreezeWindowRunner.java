package io.quiesce.window;

import io.quiesce.api.GoDurations;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.ChannelAttempt;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.HooksRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.events.EventRecorder;
import io.quiesce.freeze.FreezeCapReachedException;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.freeze.FreezeException;
import io.quiesce.freeze.FreezeFailedException;
import io.quiesce.freeze.FreezeInProgressException;
import io.quiesce.freeze.FreezeOptions;
import io.quiesce.freeze.FreezeWindow;
import io.quiesce.freeze.FrozenResult;
import io.quiesce.freeze.FrozenWorkException;
import io.quiesce.freeze.GuestPreflight;
import io.quiesce.freeze.GuestPreflightException;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.ThawedBy;
import io.quiesce.hooks.GuestBusyException;
import io.quiesce.hooks.HookRound;
import io.quiesce.hooks.HookRunner;
import io.quiesce.hooks.Sleeper;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.libvirt.SocketIdentityMismatchException;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the freeze window of one QuiescedSnapshot: finds the way to the guest's agent (the channel
 * the operator resolved, each candidate probed, see {@link ChannelChoice}), freezes once, creates
 * every planned VolumeSnapshot in parallel, waits until each is cut (never for {@code readyToUse}),
 * thaws at once, and records {@code status.freeze} once. The engine's watchdog thaws at {@code
 * spec.quiesce.timeout} whatever this code does.
 */
final class FreezeWindowRunner {
  /**
   * How long past the freeze deadline the window keeps waiting, so that the engine's watchdog, not
   * this thread, is the one that thaws a window whose cuts did not come (and says so).
   */
  static final Duration WATCHDOG_GRACE = Duration.ofMillis(500);

  private static final Logger LOG = LoggerFactory.getLogger(FreezeWindowRunner.class);
  private static final Logger TRACE = LoggerFactory.getLogger(FreezeEngine.TRACE_LOGGER);

  private final FreezeEngine engine;
  private final GuestSockets sockets;
  private final VolumeSnapshotCreator creator;
  private final VolumeSnapshotTracker tracker;
  private final FreezeRecordWriter writer;
  private final EventRecorder events;
  private final Set<GuestRef> recoveredAtStartup;
  private final QuiesceChannel defaultChannel;
  private final Clock clock;
  private final FreezeSlotLease slotLease;
  private final HookRunner hookRunner;

  /**
   * Snapshots told once that their slot is not theirs (bounded: a leftover uid costs a few bytes).
   */
  private final Set<String> warnedNoSlot = ConcurrentHashMap.newKeySet();

  private static final int MAX_WARNED = 10_000;

  /**
   * @param recoveredAtStartup guests that start-up recovery found frozen with nothing behind them:
   *     a previous helper died in their window
   * @param defaultChannel the channel of a snapshot the operator named none for
   * @param slotLease checks, right before the freeze, that the snapshot holds its cluster freeze
   *     slot
   */
  FreezeWindowRunner(
      FreezeEngine engine,
      GuestSockets sockets,
      VolumeSnapshotCreator creator,
      VolumeSnapshotTracker tracker,
      FreezeRecordWriter writer,
      EventRecorder events,
      Set<GuestRef> recoveredAtStartup,
      QuiesceChannel defaultChannel,
      Clock clock,
      FreezeSlotLease slotLease) {
    this.engine = engine;
    this.sockets = sockets;
    this.creator = creator;
    this.tracker = tracker;
    this.writer = writer;
    this.events = events;
    this.recoveredAtStartup = Set.copyOf(recoveredAtStartup);
    this.defaultChannel = defaultChannel;
    this.clock = clock;
    this.slotLease = slotLease;
    this.hookRunner =
        new HookRunner(clock, Sleeper.REAL, HookRunner.DEFAULT_POLL_INTERVAL, engine.callTimeout());
  }

  /**
   * Runs the window and writes its record.
   *
   * @param abort completes with {@link ThawTrigger#Deletion}, {@link ThawTrigger#Shutdown} or
   *     {@link ThawTrigger#Emergency} to end the window at once
   * @return the record written
   * @throws RetryLaterException the node's freeze slots or the guest are busy; nothing was done
   */
  FreezeRecord run(QuiescedSnapshot snapshot, CompletableFuture<ThawTrigger> abort) {
    Decided decided = decide(snapshot, abort);
    FreezeRecord record = decided.record();
    writer.write(snapshot, record, decided.attempts(), decided.hooks());
    LOG.info(
        "{}/{}: {} ({} ms frozen, thawed by {})",
        snapshot.getMetadata().getNamespace(),
        snapshot.getMetadata().getName(),
        record.getReason(),
        record.getDurationMs(),
        record.getThawedBy());
    return record;
  }

  /**
   * The record of the window, the channels tried before it (null when none was looked for) and what
   * the hooks did (null without hooks).
   */
  private record Decided(FreezeRecord record, List<ChannelAttempt> attempts, HooksRecord hooks) {
    Decided(FreezeRecord record, List<ChannelAttempt> attempts) {
      this(record, attempts, null);
    }
  }

  private Decided decide(QuiescedSnapshot snapshot, CompletableFuture<ThawTrigger> abort) {
    String namespace = snapshot.getMetadata().getNamespace();
    QuiesceMode mode = SnapshotSpecs.mode(snapshot);
    FreezeOptions options;
    try {
      options =
          new FreezeOptions(
              SnapshotSpecs.mountpoints(snapshot),
              GoDurations.requirePositive(SnapshotSpecs.quiesceTimeout(snapshot)));
    } catch (IllegalArgumentException e) {
      return new Decided(
          notFrozen(
              snapshot,
              mode,
              Reason.FREEZE_FAILED.wire(),
              "invalid spec.quiesce: " + e.getMessage()),
          null);
    }

    if (mode == QuiesceMode.Skip) {
      // the operator snapshots Skip itself; should one reach a helper, it is not frozen either
      return new Decided(
          notFrozen(
              snapshot,
              mode,
              Reason.QUIESCE_SKIPPED.wire(),
              "spec.quiesce.mode is Skip: nothing frozen"),
          null);
    }
    Optional<String> noSlot = slotLease.missing(snapshot);
    if (noSlot.isPresent()) {
      // before any channel is probed: a snapshot outside the cluster freeze cap touches no guest
      return new Decided(
          notFrozen(
              snapshot,
              mode,
              Reason.FREEZE_SLOT_MISSING.wire(),
              noSlot.get(),
              Reason.FREEZE_SLOT_MISSING.wire()),
          null);
    }
    if (options.timeout().compareTo(engine.maxFreezeTimeout()) > 0) {
      // refused before any channel is probed: a freeze that cannot happen touches no guest
      return new Decided(
          notFrozen(
              snapshot,
              mode,
              Reason.FREEZE_FAILED.wire(),
              "spec.quiesce.timeout "
                  + options.timeout().toMillis()
                  + " ms is above the node helper's maximum of "
                  + engine.maxFreezeTimeout().toMillis()
                  + " ms"),
          null);
    }
    QuiesceChannel channel = channelOf(snapshot);
    // every channel considered is probed here, before any freeze command: no fallback follows a
    // freeze
    GuestSockets.Located located =
        sockets.locate(namespace, snapshot.getSpec().getSource(), channel);
    HookRound hooks = hookRound(snapshot, options, located);
    return new Decided(
        freezeOrSayWhy(snapshot, mode, options, channel, located, abort, hooks),
        located.attempts(),
        hooks == null ? null : hooks.record());
  }

  /** The snapshot's hooks, run through the engine so that none runs while the guest is frozen. */
  private HookRound hookRound(
      QuiescedSnapshot snapshot, FreezeOptions options, GuestSockets.Located located) {
    if (!HookRound.any(snapshot.getSpec().getHooks())) {
      return null;
    }
    // the preFreeze hooks leave room for the freeze itself before the failureDeadline
    Instant notAfter = SnapshotSpecs.deadline(snapshot).minus(options.timeout());
    return new HookRound(
        snapshot.getSpec().getHooks(),
        hookRunner,
        (bound, calls) -> {
          try {
            engine.withAgent(located.guest(), bound, calls);
          } catch (FreezeInProgressException e) {
            throw new GuestBusyException(e.getMessage(), e);
          }
        },
        notAfter,
        engine.callTimeout());
  }

  private FreezeRecord freezeOrSayWhy(
      QuiescedSnapshot snapshot,
      QuiesceMode mode,
      FreezeOptions options,
      QuiesceChannel channel,
      GuestSockets.Located located,
      CompletableFuture<ThawTrigger> abort,
      HookRound hooks) {
    if (!located.found()) {
      if (hooks != null) {
        // a hand-back would let the operator freeze through KubeVirt, which has no guest-exec:
        // the hooks would be skipped silently
        HookRound.Stop stop =
            hooks.refuse(
                "hooks need the node helper's qga or libvirt channel, and none could be used: "
                    + located.problem());
        return hooksStopped(snapshot, stop, null);
      }
      if (Reason.NO_AGENT_CHANNEL.is(located.reason())) {
        return noChannel(snapshot, located.problem(), located.attempts());
      }
      // an explicit channel that cannot be used: the record names it; never another channel
      FreezeMethod asked =
          channel == QuiesceChannel.LIBVIRT
              ? FreezeMethod.LIBVIRT
              : channel == QuiesceChannel.QGA ? FreezeMethod.QGA : null;
      // its Event carries the reason too (e.g. LibvirtPermissionDenied), with the fix in the
      // message
      return withMethod(
          notFrozen(snapshot, mode, located.reason(), located.problem(), located.reason()), asked);
    }
    FreezeMethod method = located.route().method();
    // a group's members carry the group controller's names: the group knows them
    List<VolumeSnapshot> leftOver =
        GroupSnapshotCut.planned(snapshot)
            ? creator.groups().existingMembers(snapshot)
            : tracker.existing(snapshot);
    if (!leftOver.isEmpty() && (recoveredAtStartup.contains(located.guest()) || anyCut(leftOver))) {
      return interruptedBefore(snapshot, leftOver.size(), method);
    }

    Optional<String> refused = slotLease.refusal(snapshot);
    String uid = snapshot.getMetadata().getUid();
    if (refused.isPresent()) {
      // the cluster freeze cap: not frozen while the slot Lease does not name this snapshot; said
      // once on the snapshot, then retried quietly until its failureDeadline
      if (warnedNoSlot.size() < MAX_WARNED && warnedNoSlot.add(uid)) {
        events.warning(
            snapshot,
            Reason.FREEZE_SLOT_NOT_HELD.wire(),
            refused.get()
                + "; not frozen, retried until the slot names this snapshot or its failureDeadline passes");
      }
      throw new RetryLaterException(refused.get(), null);
    }
    warnedNoSlot.remove(uid);
    if (hooks != null) {
      Optional<HookRound.Stop> stop;
      try {
        stop = hooks.preFreeze();
      } catch (GuestBusyException e) {
        throw new RetryLaterException(e.getMessage(), e);
      }
      if (stop.isPresent()) {
        hooks.postThaw();
        return hooksStopped(snapshot, stop.get(), method);
      }
    }
    try {
      FrozenResult<CutOutcome> result =
          engine.runFrozen(
              located.guest(),
              options.withPreflight(SnapshotPreflight.of(snapshot, options.timeout(), clock)),
              deadline -> cutWhileFrozen(snapshot, deadline, abort));
      return frozen(snapshot, result.value(), result.window(), method);
    } catch (FreezeCapReachedException | FreezeInProgressException e) {
      throw new RetryLaterException(e.getMessage(), e);
    } catch (GuestPreflightException e) {
      // a check before the freeze command refused: the reason and how to fix it go on the record
      return withMethod(notFrozen(snapshot, mode, e.reason(), e.getMessage(), e.reason()), method);
    } catch (FrozenWorkException e) {
      // the work failed (creating a VolumeSnapshot); the guest is thawed already
      FreezeRecord record =
          fromWindow(e.window(), ThawTrigger.Error, Reason.VOLUME_SNAPSHOT_FAILED.wire(), method);
      record.setError(String.valueOf(e.getCause().getMessage()));
      events.warning(
          snapshot,
          Reason.THAWED.wire(),
          "thawed after " + record.getDurationMs() + " ms: " + record.getError());
      return record;
    } catch (FreezeFailedException e) {
      // a refusal that points at SELinux in the guest gets its own reason and the way to fix it
      Optional<GuestPreflightException> explained = GuestPreflight.explainFreezeFailure(e);
      // a daemon that is not the guest's own keeps its reason: a launcher redirected the helper
      String reason =
          explained
              .map(GuestPreflightException::reason)
              .orElse(
                  SocketIdentityMismatchException.REASON.equals(e.reason())
                      ? e.reason()
                      : Reason.FREEZE_FAILED.wire());
      String message =
          explained.map(x -> e.getMessage() + "; " + x.getMessage()).orElse(e.getMessage());
      return withMethod(notFrozen(snapshot, mode, reason, message, reason), method);
    } catch (IllegalArgumentException e) {
      // the engine refuses a timeout above the helper's maximum before touching the guest
      return withMethod(
          notFrozen(snapshot, mode, Reason.FREEZE_FAILED.wire(), e.getMessage()), method);
    } catch (FreezeException e) {
      FreezeRecord record = base(e.reason(), method);
      record.setError(e.getMessage());
      events.warning(snapshot, Reason.FREEZE_FAILED.wire(), e.getMessage());
      return record;
    } finally {
      // after the thaw, and whatever the freeze or the cut did (also before a retry)
      if (hooks != null) {
        hooks.postThaw();
      }
    }
  }

  /**
   * The hooks stop the snapshot before any freeze: nothing frozen and nothing created, whatever the
   * mode (the operator fails the snapshot on these reasons).
   */
  private FreezeRecord hooksStopped(
      QuiescedSnapshot snapshot, HookRound.Stop stop, FreezeMethod method) {
    FreezeRecord record = base(stop.reason(), method);
    record.setError(stop.message());
    record.setFilesystemsFrozen(0);
    events.warning(snapshot, stop.reason(), record.getError());
    return record;
  }

  /** The work inside the window: create every VolumeSnapshot, then wait for every cut. */
  private CutOutcome cutWhileFrozen(
      QuiescedSnapshot snapshot, Instant deadline, CompletableFuture<ThawTrigger> abort)
      throws InterruptedException {
    // one VolumeGroupSnapshot cuts every disk at one instant: the window thaws on its creationTime;
    // its members are named by the group controller, so only per-volume cuts have planned names
    CompletableFuture<CutOutcome> cuts =
        GroupSnapshotCut.planned(snapshot)
            ? creator.groups().awaitCut(snapshot)
            : tracker.awaitCuts(
                snapshot.getMetadata().getNamespace(),
                PlannedVolumeSnapshots.of(snapshot).stream()
                    .map(v -> v.getMetadata().getName())
                    .toList());
    try {
      creator.createAll(snapshot);
      TRACE.debug("created");
      // after the creates, not beside them: its POST would compete with theirs inside the window
      events.normal(
          snapshot, Reason.FROZEN.wire(), "guest filesystems frozen until at most " + deadline);
      CompletableFuture<Object> first = CompletableFuture.anyOf(cuts, abort);
      long waitMs =
          Math.max(0, Duration.between(clock.instant(), deadline.plus(WATCHDOG_GRACE)).toMillis());
      Object outcome;
      try {
        outcome = first.get(waitMs, TimeUnit.MILLISECONDS);
        TRACE.debug("cut-awaited {}", outcome);
      } catch (TimeoutException e) {
        return CutOutcome.of(CutOutcome.Kind.TIMED_OUT);
      } catch (ExecutionException e) {
        throw new IllegalStateException("waiting for the cuts failed", e.getCause());
      }
      if (outcome instanceof ThawTrigger trigger) {
        return CutOutcome.of(
            switch (trigger) {
              case Deletion -> CutOutcome.Kind.DELETED;
              case Emergency -> CutOutcome.Kind.EMERGENCY;
              default -> CutOutcome.Kind.SHUTDOWN;
            });
      }
      CutOutcome cut = (CutOutcome) outcome;
      // a cut seen after the deadline was not taken while frozen
      if (cut.kind() == CutOutcome.Kind.ALL_CUT && clock.instant().isAfter(deadline)) {
        return CutOutcome.of(CutOutcome.Kind.TIMED_OUT);
      }
      return cut;
    } finally {
      cuts.cancel(false);
    }
  }

  private FreezeRecord frozen(
      QuiescedSnapshot snapshot, CutOutcome outcome, FreezeWindow window, FreezeMethod method) {
    FreezeRecord record =
        switch (outcome.kind()) {
          case ALL_CUT -> fromWindow(window, ThawTrigger.Cut, Reason.FROZEN.wire(), method);
          case FAILED ->
              fromWindow(window, ThawTrigger.Error, Reason.VOLUME_SNAPSHOT_FAILED.wire(), method);
          case TIMED_OUT ->
              fromWindow(window, ThawTrigger.Watchdog, Reason.QUIESCE_TIMEOUT.wire(), method);
          case DELETED ->
              fromWindow(window, ThawTrigger.Deletion, Reason.SNAPSHOT_DELETED.wire(), method);
          case SHUTDOWN ->
              fromWindow(window, ThawTrigger.Shutdown, Reason.HELPER_SHUTDOWN.wire(), method);
          case EMERGENCY ->
              fromWindow(window, ThawTrigger.Emergency, Reason.EMERGENCY_THAW.wire(), method);
        };
    if (outcome.detail() != null) {
      record.setError(outcome.detail());
    } else if (outcome.kind() == CutOutcome.Kind.TIMED_OUT) {
      record.setError(
          "not every VolumeSnapshot was cut within spec.quiesce.timeout; thawed at the deadline");
    }
    String message =
        "thawed after "
            + record.getDurationMs()
            + " ms ("
            + record.getThawedBy()
            + "), "
            + record.getFilesystemsFrozen()
            + " filesystem(s) frozen";
    if (outcome.kind() == CutOutcome.Kind.ALL_CUT) {
      events.normal(
          snapshot, Reason.THAWED.wire(), message + "; every VolumeSnapshot was cut while frozen");
    } else {
      events.warning(
          snapshot,
          Reason.THAWED.wire(),
          message
              + "; "
              + record.getReason()
              + (record.getError() == null ? "" : ": " + record.getError()));
    }
    return record;
  }

  /**
   * Channel {@code auto} found no way to the guest here: nothing is frozen and nothing created, so
   * that the operator can freeze through KubeVirt instead (it acts on this reason).
   */
  private FreezeRecord noChannel(
      QuiescedSnapshot snapshot, String message, List<ChannelAttempt> attempts) {
    FreezeRecord record = base(Reason.NO_AGENT_CHANNEL.wire(), null);
    record.setError(message);
    record.setFilesystemsFrozen(0);
    String event = message + "; leaving the freeze to KubeVirt's API";
    if (attempts.stream().anyMatch(a -> Reason.LIBVIRT_PERMISSION_DENIED.is(a.getReason()))) {
      // the fallback works, but this helper is set up without the privilege its libvirt channel
      // needs
      events.warning(snapshot, Reason.LIBVIRT_PERMISSION_DENIED.wire(), event);
    } else {
      events.normal(snapshot, Reason.NO_AGENT_CHANNEL.wire(), event);
    }
    return record;
  }

  /**
   * The snapshot's channel as the operator resolved it; this helper's default for one that says
   * none.
   */
  private QuiesceChannel channelOf(QuiescedSnapshot snapshot) {
    Map<String, String> labels = snapshot.getMetadata().getLabels();
    String resolved = labels == null ? null : labels.get(QuiesceChannel.RESOLVED_LABEL);
    if (resolved == null) {
      return defaultChannel;
    }
    try {
      return QuiesceChannel.parse(resolved);
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "{}/{}: label {}: {}; using {}",
          snapshot.getMetadata().getNamespace(),
          snapshot.getMetadata().getName(),
          QuiesceChannel.RESOLVED_LABEL,
          e.getMessage(),
          defaultChannel);
      return defaultChannel;
    }
  }

  private static FreezeRecord withMethod(FreezeRecord record, FreezeMethod method) {
    record.setMethod(method);
    return record;
  }

  /**
   * Nothing frozen. BestEffort and Skip still snapshot, unfrozen (crash-consistent); Required
   * creates nothing.
   */
  private FreezeRecord notFrozen(
      QuiescedSnapshot snapshot, QuiesceMode mode, String reason, String message) {
    return notFrozen(snapshot, mode, reason, message, Reason.FREEZE_FAILED.wire());
  }

  private FreezeRecord notFrozen(
      QuiescedSnapshot snapshot,
      QuiesceMode mode,
      String reason,
      String message,
      String eventReason) {
    FreezeRecord record = base(reason, null);
    record.setError(message);
    record.setFilesystemsFrozen(0);
    String tail = "";
    if (mode != QuiesceMode.Required) {
      try {
        creator.createAll(snapshot);
        tail = "; " + mode + ": VolumeSnapshots created without a freeze (crash-consistent)";
      } catch (RuntimeException e) {
        tail = "; " + mode + ": creating the VolumeSnapshots failed too: " + e.getMessage();
      }
    }
    events.warning(snapshot, eventReason, message + tail);
    return record;
  }

  /**
   * A previous helper died inside this snapshot's window (its VolumeSnapshots exist, and the guest
   * was found frozen at start-up or they are cut already). Nobody can say now whether the cuts came
   * while frozen, so the record says that rather than freeze again.
   */
  private FreezeRecord interruptedBefore(
      QuiescedSnapshot snapshot, int existing, FreezeMethod method) {
    FreezeRecord record = base(Reason.HELPER_RESTARTED.wire(), method);
    record.setThawedBy(ThawTrigger.Recovery);
    record.setError(
        "the node helper restarted inside this snapshot's freeze window ("
            + existing
            + " VolumeSnapshot(s) already created); the guest was thawed by start-up recovery and the cuts"
            + " cannot be shown to have happened while frozen");
    events.warning(snapshot, Reason.THAWED.wire(), record.getError());
    return record;
  }

  private static boolean anyCut(List<VolumeSnapshot> snapshots) {
    return snapshots.stream()
        .anyMatch(
            v ->
                v.getStatus() != null
                    && (v.getStatus().getCreationTime() != null
                        || v.getStatus().getError() != null));
  }

  private static FreezeRecord fromWindow(
      FreezeWindow window, ThawTrigger trigger, String reason, FreezeMethod method) {
    FreezeRecord record = base(reason, method);
    // whole milliseconds, rounded outwards: the recorded window contains the real one, and
    // durationMs is exactly endTime - startTime
    Instant start = window.start().truncatedTo(ChronoUnit.MILLIS);
    Instant end = window.end().truncatedTo(ChronoUnit.MILLIS);
    if (end.isBefore(window.end())) {
      end = end.plusMillis(1);
    }
    record.setStartTime(start.toString());
    record.setEndTime(end.toString());
    record.setDurationMs(Duration.between(start, end).toMillis());
    record.setFilesystemsFrozen(window.filesystemsFrozen());
    // who actually thawed: the engine's watchdog or shutdown overrides what this window intended
    record.setThawedBy(
        switch (window.thawedBy()) {
          case WATCHDOG -> ThawTrigger.Watchdog;
          case SHUTDOWN -> ThawTrigger.Shutdown;
          case EMERGENCY -> ThawTrigger.Emergency;
          case CALLER -> trigger;
        });
    if (window.thawedBy() == ThawedBy.WATCHDOG && Reason.FROZEN.is(reason)) {
      record.setReason(Reason.QUIESCE_TIMEOUT.wire());
    }
    // the emergency thaw may have come before the last cut: never called consistent
    if (window.thawedBy() == ThawedBy.EMERGENCY && Reason.FROZEN.is(reason)) {
      record.setReason(Reason.EMERGENCY_THAW.wire());
    }
    return record;
  }

  /** A record of {@code reason}; {@code method} is the channel used, null when none was. */
  private static FreezeRecord base(String reason, FreezeMethod method) {
    FreezeRecord record = new FreezeRecord();
    record.setMethod(method);
    record.setReason(reason);
    return record;
  }

  /** The run could not start now (busy slots or guest); try again later. */
  static final class RetryLaterException extends RuntimeException {
    RetryLaterException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
