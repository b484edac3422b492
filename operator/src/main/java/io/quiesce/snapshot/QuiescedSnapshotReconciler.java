package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.events.EventRecorder;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.Provenance;
import io.quiesce.naming.VolumeSnapshotOwnership;
import io.quiesce.restore.VmDefinitions;
import io.quiesce.snapshot.Decision.Action;
import io.quiesce.status.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles QuiescedSnapshots: observe ({@link ClusterObserver}) → decide ({@link
 * SnapshotStateMachine}, pure) → act (create VolumeSnapshots, assign to the node helper, or run the
 * KubeVirt freeze window) → write the operator's status fields once, as a JSON merge patch that
 * carries only them (so {@code status.freeze}, the helper's, is never touched) and the
 * resourceVersion of the copy the decision was made from ({@link SnapshotWriter}): a decision from
 * a stale copy is never written. Waiting is a requeue, never a sleep.
 */
// not generation-aware: the node helper's status.freeze record (no generation change) must wake us
@ControllerConfiguration(
    name = QuiescedSnapshotReconciler.NAME,
    finalizerName = QuiescedSnapshotReconciler.FINALIZER,
    generationAwareEventProcessing = false,
    informer = @Informer(itemStore = CachedCopies.SnapshotStore.class))
public final class QuiescedSnapshotReconciler
    implements Reconciler<QuiescedSnapshot>, Cleaner<QuiescedSnapshot> {
  public static final String NAME = "quiescedsnapshot";

  /**
   * Keeps the snapshot until its VolumeSnapshots have been deleted or released per deletionPolicy.
   */
  public static final String FINALIZER = "quiesce.io/snapshot-protection";

  private static final Logger LOG = LoggerFactory.getLogger(QuiescedSnapshotReconciler.class);

  /**
   * A snapshot waiting only for a freeze slot (or for its VM's other snapshot) is woken when one
   * frees ({@link AdmissionWakeups}); its timed requeue, this many {@code waitRequeue}s, is only a
   * backstop. At {@code waitRequeue} itself, each of hundreds of queued snapshots was reconciled
   * every 5 s for nothing (most of the reconciles of a fire over 500 VMs).
   */
  static final int SLOT_WAIT_BACKSTOP = 6;

  private final SnapshotSettings settings;
  private final FreezeSlots slots;
  private final ClusterObserver observer;
  private final VolumeSnapshots volumeSnapshots;
  private final KubeVirtWindows kubeVirtWindows;
  private final KubeVirtFreezeApi kubeVirtApi;
  private final KubeVirtThawBackstop thawBackstop;
  private final EventRecorder events;
  private final SnapshotMetrics metrics;
  private final AdmissionWakeups wakeups;
  private final SnapshotWriter writer;
  private final SlotLeases slotLeases;

  /**
   * Where observing reads the cluster: the informers of {@link SecondarySources}, set when they are
   * prepared.
   */
  private volatile ClusterReads reads;

  private final GroupSnapshotObserver groupObserver;
  private final GroupSnapshotActions groups;

  /** Snapshots of several VMs ({@code spec.sources}) take their own path. */
  private final ConsistencyGroupSnapshots consistencyGroups;

  /**
   * Whether the slot Leases have been read into the ledger (once, at the first reconcile as
   * leader).
   */
  private volatile boolean slotsLoaded;

  public QuiescedSnapshotReconciler(
      KubernetesClient client,
      SnapshotSettings settings,
      KubeVirtFreezeApi kubeVirtApi,
      EventRecorder events,
      SnapshotMetrics metrics) {
    this.settings = settings;
    this.slots = new FreezeSlots(settings.maxConcurrentFreezes(), settings.maxFreezesPerNode());
    this.wakeups = new AdmissionWakeups(slots);
    this.observer = new ClusterObserver(settings, slots);
    this.volumeSnapshots = new VolumeSnapshots(client);
    // what a write returns goes into the queue at once: JOSDK does not pass on the informer's
    // event of the operator's own write
    this.writer = new SnapshotWriter(client, slots::observe);
    this.slotLeases =
        new SlotLeases(client, settings.operatorNamespace(), settings.clock(), settings.shard());
    this.groupObserver = new GroupSnapshotObserver(client, settings.clock());
    this.groups = new GroupSnapshotActions(client);
    this.kubeVirtApi = kubeVirtApi;
    this.thawBackstop = new KubeVirtThawBackstop(kubeVirtApi);
    // one thread per window the cluster cap allows at once, at most 16 (each mostly waits on a
    // watch)
    KubeVirtFreezeWindow singleWindow =
        new KubeVirtFreezeWindow(
            client, kubeVirtApi, volumeSnapshots, settings.clock(), settings.freezeTimeoutMax());
    this.kubeVirtWindows =
        new KubeVirtWindows(singleWindow, Math.min(settings.maxConcurrentFreezes(), 16));
    this.consistencyGroups =
        new ConsistencyGroupSnapshots(
            client,
            settings,
            slots,
            writer,
            kubeVirtWindows,
            kubeVirtApi,
            singleWindow,
            volumeSnapshots,
            slotLeases,
            groupObserver,
            groups);
    this.events = events;
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, QuiescedSnapshot>> prepareEventSources(
      EventSourceContext<QuiescedSnapshot> context) {
    // VolumeSnapshots we (or the helper) created name their QuiescedSnapshot in an annotation
    // (under Retain they have no ownerReference, see VolumeSnapshotOwnership)
    var config =
        InformerEventSourceConfiguration.from(VolumeSnapshot.class, QuiescedSnapshot.class)
            .withLabelSelector(Provenance.MANAGED_BY + "=" + Provenance.MANAGED_BY_VALUE)
            // a VolumeSnapshot just created, the controller's finalizer and bound-content writes
            // change no decision
            .withOnAddFilter(VolumeSnapshotChanges::decidesWhenNew)
            .withOnUpdateFilter(VolumeSnapshotChanges::decides)
            .withSecondaryToPrimaryMapper(
                vs ->
                    VolumeSnapshotOwnership.ownerName(vs.getMetadata())
                        .map(name -> Set.of(new ResourceID(name, vs.getMetadata().getNamespace())))
                        .orElse(Set.of()))
            .build();
    SecondarySources secondaries =
        new SecondarySources(context, settings.operatorNamespace(), settings.helperStaleAfter());
    reads = secondaries;
    List<EventSource<?, QuiescedSnapshot>> sources = new ArrayList<>(secondaries.eventSources());
    sources.addAll(List.of(new InformerEventSource<>(config, context), wakeups, kubeVirtWindows));
    return sources;
  }

  /** The grant ledger and queue (tests read what admission cost). */
  FreezeSlots slots() {
    return slots;
  }

  /**
   * Reads from {@code reads} instead of informers: for tests that call {@link #reconcile}
   * themselves.
   */
  void readFrom(ClusterReads reads) {
    this.reads = reads;
  }

  @Override
  public UpdateControl<QuiescedSnapshot> reconcile(
      QuiescedSnapshot snapshot, Context<QuiescedSnapshot> context) {
    try {
      return ConsistencyGroupSnapshots.isGroup(snapshot)
          ? reconcileGroup(snapshot, context)
          : reconcileSingle(snapshot, context);
    } finally {
      wakeups.reconciled(snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName());
      wakeups.wakeIfReleased(); // whatever this reconcile freed (or gave back) goes to the queue
    }
  }

  private UpdateControl<QuiescedSnapshot> reconcileSingle(
      QuiescedSnapshot snapshot, Context<QuiescedSnapshot> context) {
    String ns = snapshot.getMetadata().getNamespace();
    String name = snapshot.getMetadata().getName();
    String key = ns + "/" + name;
    loadSlotLeasesOnce(context);
    // the copy JOSDK hands over is the newest it has: it may release the grant on evidence, and
    // it moves the snapshot in the queue (admission never walks the whole cache)
    slots.observe(snapshot);
    Observation observation =
        groupObserver.complete(
            observer.observe(reads, snapshot, context.getSecondaryResources(VolumeSnapshot.class)));
    Decision decision = SnapshotStateMachine.decide(observation);
    VmDefinitions.captureAtStart(
        snapshot, observation.vm(), decision.status()); // for restores into a new VM
    // a helper's thaw that was never confirmed: KubeVirt unfreezes the guest wherever it runs now
    thawBackstop
        .apply(snapshot)
        .ifPresent(e -> events.record(snapshot, e.warning(), e.reason(), e.message()));
    try {
      decision = actAndWrite(context, observation, decision);
    } catch (SnapshotWriter.StaleCopyException e) {
      // decided from an old copy: nothing more is done; the change that made it old has queued
      // a reconcile of the newer version already, the requeue is only a backstop
      slots.abandon(ns, name);
      LOG.debug("not written: {}", e.getMessage());
      return UpdateControl.<QuiescedSnapshot>noUpdate().rescheduleAfter(settings.waitRequeue());
    } catch (SlotLostException e) {
      LOG.info("{}", e.getMessage());
      return UpdateControl.<QuiescedSnapshot>noUpdate().rescheduleAfter(settings.waitRequeue());
    } finally {
      slots.settle(ns, name); // a grant this reconcile took and did not use goes back
    }
    SnapshotPhase after = report(snapshot, key, decision);
    boolean terminal = after == SnapshotPhase.Succeeded || after == SnapshotPhase.Failed;
    if (terminal && decision.status() != null) {
      slots.release(ns, name); // the terminal phase is written: evidence its freeze is over
      groups.unlabelPvcs(snapshot); // the group's selector label is no longer needed
    }
    if (terminal || decision.action() == Action.FREEZE_THROUGH_KUBEVIRT) {
      // the VM (which a snapshot without a grant, of a stopped VM, held too) or a slot freed:
      // whoever may start now should not wait for its requeue
      wakeups.wakeNow();
    }
    boolean waitingForSlot =
        observation.admission().vmBusy() || !observation.admission().slotFree();
    if (after == SnapshotPhase.Pending && waitingForSlot) {
      return requeue(decision, settings.waitRequeue().multipliedBy(SLOT_WAIT_BACKSTOP));
    }
    // a group's members are the group controller's, not labelled for our informer: look again soon
    boolean followingGroup =
        after == SnapshotPhase.InProgress
            && GroupSnapshotActions.planned(snapshot, decision).isPresent();
    return requeue(
        decision,
        after == SnapshotPhase.Pending || waitingForSlot || followingGroup
            ? settings.waitRequeue()
            : after == SnapshotPhase.InProgress ? inProgressLook(settings) : null);
  }

  /**
   * What follows every written decision, a single VM's or a group's: the phase change logged, its
   * Events recorded, the metrics updated.
   *
   * @return the phase after the decision
   */
  private SnapshotPhase report(QuiescedSnapshot snapshot, String key, Decision decision) {
    if (decision.status() != null) {
      logPhaseChange(snapshot.getStatus(), decision.status());
    }
    decision.events().forEach(e -> events.record(snapshot, e.warning(), e.reason(), e.message()));
    SnapshotPhase after =
        decision.status() != null ? decision.status().getPhase() : phase(snapshot.getStatus());
    metrics.inProgress(key, after == SnapshotPhase.InProgress);
    decision
        .outcome()
        .ifPresent(
            outcome ->
                metrics.finished(
                    key,
                    snapshot.getMetadata().getUid(),
                    outcome,
                    Duration.between(SnapshotSpecs.created(snapshot), settings.clock().instant())));
    return after;
  }

  /**
   * A snapshot of several VMs: decided, acted on and written by {@link ConsistencyGroupSnapshots}.
   */
  private UpdateControl<QuiescedSnapshot> reconcileGroup(
      QuiescedSnapshot snapshot, Context<QuiescedSnapshot> context) {
    loadSlotLeasesOnce(context);
    String key = snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName();
    Decision decision;
    try {
      decision =
          consistencyGroups.reconcile(
              snapshot,
              context,
              reads,
              context.getSecondaryResources(VolumeSnapshot.class),
              ledgerOver(context));
    } catch (SnapshotWriter.StaleCopyException e) {
      LOG.debug("not written: {}", e.getMessage());
      return UpdateControl.<QuiescedSnapshot>noUpdate().rescheduleAfter(settings.waitRequeue());
    }
    SnapshotPhase after = report(snapshot, key, decision);
    boolean terminal = after == SnapshotPhase.Succeeded || after == SnapshotPhase.Failed;
    if (terminal || decision.action() == Action.AWAIT_KUBEVIRT_WINDOW) {
      wakeups.wakeNow(); // the group's grants are free
    }
    if (terminal) {
      return UpdateControl.noUpdate();
    }
    Duration next =
        decision
            .requeue()
            .filter(d -> d.compareTo(settings.waitRequeue()) < 0)
            .orElse(settings.waitRequeue());
    return UpdateControl.<QuiescedSnapshot>noUpdate().rescheduleAfter(next.plusMillis(50));
  }

  /**
   * Does the decision's work, then writes its status based on the copy it was decided from. A
   * VolumeSnapshot that belongs to someone else fails the snapshot.
   *
   * @throws SnapshotWriter.StaleCopyException when that copy is older than the stored snapshot; the
   *     work done is idempotent (deterministic names, labels), except a freeze that ran, whose
   *     record is written over the newer version as long as that one is still Pending
   */
  private Decision actAndWrite(
      Context<QuiescedSnapshot> context, Observation observation, Decision decision) {
    QuiescedSnapshot basis = observation.snapshot();
    Decision done = decision;
    try {
      switch (decision.action()) {
        case CREATE_VOLUME_SNAPSHOTS -> {
          if (!groups.createInstead(basis, decision)) {
            volumeSnapshots.createMissing(basis, decision.plan());
          }
        }
        case ASSIGN_TO_HELPER -> {
          groups.labelPvcs(basis, decision); // before the window: the helper only creates the group
          if (phase(basis.getStatus()) == SnapshotPhase.Pending) {
            basis = takeSlotAndAssign(context, basis, decision);
          } else { // assigned already: the label is only re-asserted
            String slotLease = annotation(basis, Provenance.FREEZE_SLOT);
            if (slotLease != null) { // never an assignment without its slot: the helper refuses it
              basis = writer.assign(context, basis, decision.node(), decision.channel(), slotLease);
            }
          }
        }
        case FREEZE_THROUGH_KUBEVIRT -> {
          groups.labelPvcs(basis, decision);
          return startKubeVirtWindow(context, basis, decision);
        }
        case AWAIT_KUBEVIRT_WINDOW -> {
          if (awaitKubeVirtWindow(context, basis)) {
            // the window's record is written, and JOSDK does not wake us for our own write (nor
            // does a refused freeze leave a VolumeSnapshot whose events would): the next
            // reconcile, at once, decides on the record
            return decision.withRequeue(Duration.ZERO);
          }
        }
        case NONE -> {}
      }
    } catch (VolumeSnapshots.ConflictException
        | io.quiesce.groups.GroupSnapshotRequests.NotOursException e) {
      done =
          SnapshotStateMachine.fail(
              observation, Reason.VOLUME_SNAPSHOT_CONFLICT.wire(), e.getMessage());
    }
    if (done.status() != null
        && ProgressOnlyWrites.onlyProgress(basis.getStatus(), done.status())) {
      return done.withStatus(null);
    }
    if (done.status() != null) {
      writer.writeStatus(context, basis, done.status());
    }
    return done;
  }

  /**
   * Starts the operator's KubeVirt window: the snapshot is written InProgress ({@code
   * FreezingThroughKubeVirt}) first, so that a copy older than that write can never start a second
   * window, and a restarted operator finds the window on the object.
   */
  private Decision startKubeVirtWindow(
      Context<QuiescedSnapshot> context, QuiescedSnapshot basis, Decision decision) {
    String uid = basis.getMetadata().getUid();
    if (kubeVirtWindows.running(uid) || kubeVirtWindows.finished(uid).isPresent()) {
      // decided from a copy older than the window's start: its place stays taken
      return noWrite(decision, Action.FREEZE_THROUGH_KUBEVIRT);
    }
    if (!kubeVirtWindows.tryReserve()) {
      LOG.info("every KubeVirt window thread is busy; {} waits", basis.getMetadata().getName());
      return noWrite(decision, Action.NONE);
    }
    try {
      takeSlot(
          basis, FreezeSlots.Kind.KUBEVIRT, context); // a KubeVirt freeze counts against the caps
      writer.writeStatus(context, basis, decision.status());
    } catch (RuntimeException e) {
      kubeVirtWindows.cancelReservation();
      throw e;
    }
    kubeVirtWindows.start(GroupSnapshotActions.withDecidedStatus(basis, decision), decision.plan());
    return decision;
  }

  /**
   * Writes the record of this snapshot's KubeVirt window once it ended. When no window of this
   * process runs for it (the operator restarted, or another one led before) and the stored snapshot
   * is this very copy, KubeVirt's {@code unfreeze} is called (KubeVirt's own {@code
   * unfreezeTimeout} would thaw it anyway) and the window is recorded interrupted.
   *
   * @return true when a record was written
   */
  private boolean awaitKubeVirtWindow(Context<QuiescedSnapshot> context, QuiescedSnapshot basis) {
    String uid = basis.getMetadata().getUid();
    Optional<FreezeRecord> ended = kubeVirtWindows.finished(uid);
    if (ended.isPresent()) {
      QuiescedSnapshotStatus status = SnapshotStateMachine.operatorFields(basis.getStatus());
      status.setFreeze(ended.get()); // the operator ran this freeze, so it writes the record
      writeRanFreeze(context, basis, status);
      kubeVirtWindows.written(uid);
      // KubeVirt's record is written: evidence that this grant's freeze is over
      slots.release(basis.getMetadata().getNamespace(), basis.getMetadata().getName());
      return true;
    }
    if (kubeVirtWindows.running(uid)) {
      return false;
    }
    QuiescedSnapshot latest = writer.latest(basis);
    if (latest == null
        || !Objects.equals(
            latest.getMetadata().getResourceVersion(), basis.getMetadata().getResourceVersion())) {
      return false; // an old copy: the newer one is reconciled next
    }
    String why =
        "no operator runs this KubeVirt freeze window any more (operator restarted); KubeVirt's "
            + "unfreeze was called";
    try {
      kubeVirtApi.unfreeze(basis.getMetadata().getNamespace(), basis.getSpec().getSource());
    } catch (KubeVirtFreezeApi.KubeVirtFreezeException e) {
      why =
          "no operator runs this KubeVirt freeze window any more (operator restarted); KubeVirt's unfreeze "
              + "failed, its unfreezeTimeout thaws the guest: "
              + e.getMessage();
    }
    LOG.warn("{}/{}: {}", basis.getMetadata().getNamespace(), basis.getMetadata().getName(), why);
    QuiescedSnapshotStatus status = SnapshotStateMachine.operatorFields(basis.getStatus());
    status.setFreeze(KubeVirtWindows.interrupted(why));
    writer.writeStatus(context, basis, status);
    return true;
  }

  /** The decision without its status write (nothing is done this time; the requeue looks again). */
  private Decision noWrite(Decision d, Action settled) {
    return new Decision(
        null,
        settled,
        d.plan(),
        d.node(),
        List.of(),
        Optional.of(settings.waitRequeue()),
        Optional.empty(),
        d.channel());
  }

  /**
   * The record of a freeze that ran is not lost to an old copy while the stored snapshot is still
   * Pending.
   */
  private void writeRanFreeze(
      Context<QuiescedSnapshot> context, QuiescedSnapshot basis, QuiescedSnapshotStatus status) {
    try {
      writer.writeStatus(context, basis, status);
    } catch (SnapshotWriter.StaleCopyException e) {
      QuiescedSnapshot latest = writer.latest(basis);
      if (latest == null || phase(latest.getStatus()) != SnapshotPhase.Pending) {
        throw e;
      }
      writer.writeStatus(context, latest, status);
    }
  }

  /**
   * Makes the snapshot's grant count before the write that can lead to its freeze: commits it in
   * the ledger and names the snapshot on the slot's Lease with compare-and-swap.
   *
   * @throws SlotLostException when the snapshot holds no grant, or another operator took its slot
   */
  private void takeSlot(
      QuiescedSnapshot s, FreezeSlots.Kind kind, Context<QuiescedSnapshot> context) {
    FreezeSlots.Grant grant = commit(s, kind);
    Optional<SlotLeases.Holder> lost = slotLeases.acquire(grant, ledgerOver(context));
    if (lost.isPresent()) {
      throw slotLost(s, grant, lost.get());
    }
  }

  /**
   * {@link #takeSlot} for the node helper, with the assignment's label and slot name written while
   * the slot's Lease is swapped, not after: neither can start a freeze before the InProgress status
   * that follows the swap (the helper runs InProgress snapshots only), and a lost swap leaves the
   * snapshot Pending, its slot name overwritten by its next grant.
   *
   * @return the copy to base the status write on
   */
  private QuiescedSnapshot takeSlotAndAssign(
      Context<QuiescedSnapshot> context, QuiescedSnapshot basis, Decision decision) {
    FreezeSlots.Grant grant = commit(basis, FreezeSlots.Kind.HELPER);
    String slotLease = slotLeases.leaseName(grant.slot());
    SlotLeases.Beside<QuiescedSnapshot> done =
        slotLeases.acquireBeside(
            grant,
            ledgerOver(context),
            () -> writer.assign(context, basis, decision.node(), decision.channel(), slotLease));
    if (done.lost().isPresent()) {
      throw slotLost(basis, grant, done.lost().get());
    }
    return done.written();
  }

  private FreezeSlots.Grant commit(QuiescedSnapshot s, FreezeSlots.Kind kind) {
    String ns = s.getMetadata().getNamespace();
    String name = s.getMetadata().getName();
    return slots
        .commit(ns, name, kind)
        .orElseThrow(
            () -> new SlotLostException(ns + "/" + name + " holds no freeze slot any more"));
  }

  private SlotLostException slotLost(
      QuiescedSnapshot s, FreezeSlots.Grant grant, SlotLeases.Holder holder) {
    String ns = s.getMetadata().getNamespace();
    String name = s.getMetadata().getName();
    return new SlotLostException(
        "freeze slot "
            + slotLeases.leaseName(grant.slot())
            + (holder.name() == null
                ? " is held elsewhere"
                : " was taken by " + holder.namespace() + "/" + holder.name())
            + " (another operator); "
            + ns
            + "/"
            + name
            + " waits for another");
  }

  /**
   * The grant ledger as a slot's Lease swap sees it; the primary cache (one look-up by name) judges
   * a holder's freeze.
   */
  private SlotLeases.Ledger ledgerOver(Context<QuiescedSnapshot> context) {
    return new SlotLeases.Ledger() {
      @Override
      public boolean holds(FreezeSlots.Grant grant) {
        return slots.holds(grant);
      }

      @Override
      public boolean mayStillFreeze(SlotLeases.Holder holder) {
        return freezing(holder).isPresent();
      }

      @Override
      public void lost(FreezeSlots.Grant grant, SlotLeases.Holder holder) {
        // nothing that can start a freeze was written under it (at most the assignment's label)
        slots.giveBack(grant);
        Optional<QuiescedSnapshot> freezing = freezing(holder);
        freezing.ifPresent(snapshot -> slots.adopt(holder.asGrant(snapshot)));
        LOG.debug(
            "{} lost slot {} to {}/{} ({})",
            grant.key(),
            grant.slot(),
            holder.namespace(),
            holder.name(),
            freezing.isPresent() ? "counted until its freeze is over" : "its freeze is over");
      }

      private Optional<QuiescedSnapshot> freezing(SlotLeases.Holder holder) {
        return slots.knownOver(holder.uid())
            ? Optional.empty()
            : slotLeases.stillFreezing(
                holder, (ns, name) -> context.getPrimaryCache().get(new ResourceID(name, ns)));
      }
    };
  }

  private void loadSlotLeasesOnce(Context<QuiescedSnapshot> context) {
    if (!slotsLoaded) {
      loadSlotLeases(context.getPrimaryCache().list().toList());
    }
  }

  /**
   * Reads who holds the slot Leases before this process grants any, so a new leader counts the old
   * one's grants.
   */
  private synchronized void loadSlotLeases(List<QuiescedSnapshot> cache) {
    if (slotsLoaded) {
      return;
    }
    for (SlotLeases.Holder h : slotLeases.load()) {
      Optional<QuiescedSnapshot> freezing = slotLeases.stillFreezing(h, cache);
      freezing.ifPresent(holder -> slots.adopt(h.asGrant(holder)));
      LOG.debug(
          "slot {} held by {}/{} at start-up ({})",
          h.slot(),
          h.namespace(),
          h.name(),
          freezing.isPresent() ? "counted" : "its freeze is over");
    }
    slotsLoaded = true;
  }

  /** The snapshot lost its grant (another operator took the slot): it is not started now. */
  static final class SlotLostException extends RuntimeException {
    SlotLostException(String message) {
      super(message);
    }
  }

  private static String annotation(QuiescedSnapshot s, String name) {
    return s.getMetadata().getAnnotations() == null
        ? null
        : s.getMetadata().getAnnotations().get(name);
  }

  /**
   * One line per phase change; JOSDK's MDC names the snapshot (resource.namespace, resource.name).
   */
  private static void logPhaseChange(QuiescedSnapshotStatus before, QuiescedSnapshotStatus after) {
    SnapshotPhase from = phase(before);
    if (after.getPhase() != null && (before == null || after.getPhase() != from)) {
      LOG.info(
          "phase {} -> {}{}",
          before == null ? "(new)" : from,
          after.getPhase(),
          after.getPhase() == SnapshotPhase.Failed
              ? ": " + after.getMessage()
              : after.getConsistency() == null
                  ? ""
                  : " (" + after.getConsistency() + ", " + after.getConsistencyReason() + ")");
    }
  }

  /**
   * @param atMost the longest wait before looking again (null: only the decision's own requeue)
   */
  private UpdateControl<QuiescedSnapshot> requeue(Decision decision, Duration atMost) {
    UpdateControl<QuiescedSnapshot> control = UpdateControl.noUpdate();
    Optional<Duration> when = decision.requeue();
    if (atMost != null) {
      when = Optional.of(when.filter(d -> d.compareTo(atMost) < 0).orElse(atMost));
    }
    // a deadline exactly now: look again just after it
    return when.map(d -> control.rescheduleAfter(d.plusMillis(50))).orElse(control);
  }

  /**
   * The longest an InProgress snapshot goes without a reconcile: a backstop only (its progress
   * comes by events), so that a lost or filtered event never leaves a started snapshot (maybe a
   * frozen guest) unwatched until its failureDeadline; as long as a slot wait's, 30 s by default.
   */
  static Duration inProgressLook(SnapshotSettings settings) {
    return settings.waitRequeue().multipliedBy(SLOT_WAIT_BACKSTOP);
  }

  @Override
  public DeleteControl cleanup(QuiescedSnapshot snapshot, Context<QuiescedSnapshot> context) {
    List<String> finalizers = snapshot.getMetadata().getFinalizers();
    if (finalizers != null && finalizers.contains(QuiescedSnapshotRestore.SOURCE_FINALIZER)) {
      // a restore in progress reads its VolumeSnapshots: they stay until it releases the snapshot
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.waitRequeue());
    }
    String key = snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName();
    int handled = volumeSnapshots.onDeletion(snapshot) + (groups.onDeletion(snapshot) ? 1 : 0);
    LOG.info(
        "{} deleted: {} VolumeSnapshot(s) {} per deletionPolicy {}",
        key,
        handled,
        SnapshotSpecs.deletionPolicy(snapshot) == io.quiesce.api.v1alpha1.DeletionPolicy.Delete
            ? "deleted"
            : "released",
        SnapshotSpecs.deletionPolicy(snapshot));
    slots.release(snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName());
    slots.releaseWhole(snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName());
    wakeups.wakeIfReleased();
    kubeVirtWindows.written(snapshot.getMetadata().getUid());
    metrics.forget(key, snapshot.getMetadata().getUid());
    return DeleteControl.defaultDelete();
  }

  private static SnapshotPhase phase(QuiescedSnapshotStatus status) {
    return SnapshotPhase.of(status);
  }
}
