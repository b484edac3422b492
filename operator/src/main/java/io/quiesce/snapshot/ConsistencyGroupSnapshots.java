package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.quiesce.api.ApiValues;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.CommonWindow;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.consistencygroup.GroupFreezeWindow;
import io.quiesce.consistencygroup.GroupSourceResolver;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.restore.VmDefinitions;
import io.quiesce.snapshot.Decision.Action;
import io.quiesce.snapshot.Decision.SnapshotEvent;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.SnapshotStateMachine.Verdict;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs QuiescedSnapshots of several VMs ({@code spec.sources}) for {@link
 * QuiescedSnapshotReconciler}, by their status:
 *
 * <ol>
 *   <li>Pending: resolve the VMs ({@link GroupSourceResolver}), plan each VM's disks ({@link
 *       GroupDiskPlanner}), admit the group whole ({@link FreezeSlots#tryAdmitWhole}), take every
 *       grant's slot Lease (all or none, {@link SlotLeases}), write it InProgress ({@code
 *       FreezingThroughKubeVirt}, the planned {@code members}) and only then start its {@link
 *       GroupFreezeWindow} on a {@link KubeVirtWindows} thread: the cut creates every
 *       VolumeSnapshot and waits (by watch) for each {@code creationTime};
 *   <li>InProgress without a consistency: the window runs; once it ended, its members, common
 *       window and consistency are written and the grants given back. A window no thread of this
 *       process runs (the operator restarted) is recorded interrupted: every member is unfrozen
 *       (KubeVirt's {@code unfreezeTimeout} would thaw it anyway) and the snapshot fails;
 *   <li>InProgress with a consistency: the VolumeSnapshots are followed to {@code readyToUse}.
 * </ol>
 *
 * The status is decided through {@link Draft}, so the conditions (kstatus), Events and messages are
 * those of single snapshots.
 */
final class ConsistencyGroupSnapshots {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ConsistencyGroupSnapshots.class);
  private final KubernetesClient client;
  private final SnapshotSettings settings;
  private final FreezeSlots slots;
  private final SnapshotWriter writer;
  private final KubeVirtWindows windows;
  private final KubeVirtFreezeApi kubeVirtApi;
  private final KubeVirtFreezeWindow singleWindow;
  private final VolumeSnapshots volumeSnapshots;
  private final SlotLeases slotLeases;
  private final GroupSnapshotObserver groupObserver;
  private final GroupSnapshotActions groupActions;
  private final Clock clock;

  ConsistencyGroupSnapshots(
      KubernetesClient client,
      SnapshotSettings settings,
      FreezeSlots slots,
      SnapshotWriter writer,
      KubeVirtWindows windows,
      KubeVirtFreezeApi kubeVirtApi,
      KubeVirtFreezeWindow singleWindow,
      VolumeSnapshots volumeSnapshots,
      SlotLeases slotLeases,
      GroupSnapshotObserver groupObserver,
      GroupSnapshotActions groupActions) {
    this.client = client;
    this.settings = settings;
    this.slots = slots;
    this.writer = writer;
    this.windows = windows;
    this.kubeVirtApi = kubeVirtApi;
    this.singleWindow = singleWindow;
    this.volumeSnapshots = volumeSnapshots;
    this.slotLeases = slotLeases;
    this.groupObserver = groupObserver;
    this.groupActions = groupActions;
    this.clock = settings.clock();
  }

  /** Whether {@code s} is a consistency group. */
  static boolean isGroup(QuiescedSnapshot s) {
    return s.getSpec() != null && s.getSpec().getSources() != null;
  }

  /**
   * Decides and acts for one group snapshot and writes its status once.
   *
   * @param ledger the grant ledger as a slot Lease's swap sees it (judges the Lease's holder)
   * @return what was decided and written (its status is null when nothing changed)
   * @throws SnapshotWriter.StaleCopyException when {@code s} is older than the stored snapshot
   */
  Decision reconcile(
      QuiescedSnapshot s,
      Context<QuiescedSnapshot> context,
      ClusterReads reads,
      Collection<VolumeSnapshot> secondaries,
      SlotLeases.Ledger ledger) {
    Map<String, VolumeSnapshot> ours =
        secondaries.stream()
            .filter(vs -> PlannedVolumeSnapshots.ownedBy(vs, s))
            .collect(
                Collectors.toMap(v -> v.getMetadata().getName(), Function.identity(), (a, b) -> a));
    // InProgress with a planned VolumeGroupSnapshot: the group and the members its controller made
    Observation o =
        groupObserver.complete(
            new Observation(
                s,
                clock.instant(),
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                List.of(),
                Observation.Admission.FREE,
                false,
                null,
                ours));
    Draft d = new Draft(o);
    SnapshotPhase phase = SnapshotPhase.of(s.getStatus());
    Decision decision;
    try {
      decision =
          switch (phase) {
            case Succeeded, Failed -> d.done();
            case Pending -> start(s, o, d, reads, context, ledger);
            case InProgress ->
                s.getStatus().getConsistency() == null
                    ? windowEnded(s, o, d, context)
                    : follow(
                        s,
                        o,
                        d,
                        s.getStatus().getMembers(),
                        s.getStatus().getCommonWindow(),
                        s.getStatus().getConsistency(),
                        s.getStatus().getVolumeGroupSnapshot());
          };
    } catch (IllegalArgumentException e) {
      decision = d.fail(Reason.INVALID_SPEC.wire(), e.getMessage());
    }
    if (decision.action() == Action.FREEZE_THROUGH_KUBEVIRT) {
      return decision; // written before the window started
    }
    if (decision.status() != null) {
      writer.writeStatus(context, s, decision.status());
      if (decision.action() == Action.AWAIT_KUBEVIRT_WINDOW) {
        windows.written(s.getMetadata().getUid()); // the window's record is on the object
      }
    }
    SnapshotPhase after = decision.status() != null ? decision.status().getPhase() : phase;
    if (after != SnapshotPhase.Pending && after != SnapshotPhase.InProgress
        || decision.action() == Action.AWAIT_KUBEVIRT_WINDOW) {
      // the window is over (its record written) or the snapshot ended: no VM of it is frozen,
      // evidence that its slot Leases may be taken over
      slots.releaseWhole(s.getMetadata().getNamespace(), s.getMetadata().getName(), true);
    }
    if (decision.status() != null
        && (after == SnapshotPhase.Succeeded || after == SnapshotPhase.Failed)) {
      groupActions.unlabelPvcs(s); // the group's selector label is no longer needed
    }
    return decision;
  }

  /** Pending: resolve, plan, admit whole, write InProgress, start the window. */
  private Decision start(
      QuiescedSnapshot s,
      Observation o,
      Draft d,
      ClusterReads reads,
      Context<QuiescedSnapshot> context,
      SlotLeases.Ledger ledger) {
    String ns = s.getMetadata().getNamespace();
    if (!o.now().isBefore(SnapshotSpecs.deadline(s))) {
      return d.fail(
          Reason.DEADLINE_EXCEEDED.wire(),
          "the group snapshot could not start before its failureDeadline");
    }
    QuiesceMode mode = SnapshotSpecs.mode(s);
    GroupSourceResolver.Resolution group =
        GroupSourceResolver.resolve(
            ns, s.getSpec().getSources(), mode, candidates(s, reads), vm -> reads.vmi(ns, vm));
    if (group.waitReason() != null) {
      slots.releaseWhole(ns, s.getMetadata().getName()); // it cannot start: it reserves nothing
      return d.waiting(group.waitReason(), group.waitMessage(), null);
    }
    if (!group.ok()) {
      return d.fail(group.failureReason(), group.failureMessage());
    }
    List<Volume> volumes = new ArrayList<>();
    group
        .running()
        .forEach(r -> volumes.addAll(DiskPlanner.allVolumes(r.vm(), Optional.of(r.vmi()))));
    Map<String, Optional<String>> pvcDrivers = ClusterObserver.pvcDrivers(reads, ns, volumes);
    GroupDiskPlanner.Plan plan =
        GroupDiskPlanner.plan(s, group, pvcDrivers, ClusterObserver.classes(reads));
    if (!plan.ok()) {
      return d.fail(plan.failureReason(), plan.failureMessage());
    }
    VolumeGroupPlanner.Choice volumeGroup =
        VolumeGroupPlanner.mode(s) == VolumeGroupMode.Never
            ? VolumeGroupPlanner.Choice.perVolume(null)
            : VolumeGroupPlanner.chooseForGroup(
                s,
                ConsistencyGroupVolumes.claims(plan.members()),
                pvcDrivers,
                groupObserver.facts(),
                ConsistencyGroupVolumes.whose(plan.members()));
    if (!volumeGroup.ok()) {
      return d.fail(volumeGroup.failureReason(), volumeGroup.failureMessage()); // nothing frozen
    }
    List<GroupMember> planned =
        volumeGroup.group() == null
            ? plan.members()
            : ConsistencyGroupVolumes.unnamed(plan.members());
    List<Entry> entries =
        group.running().stream()
            .map(
                r ->
                    new Entry(
                        ns,
                        s.getMetadata().getName(),
                        r.name(),
                        mode == QuiesceMode.Skip ? null : r.node(), // Skip freezes nothing
                        SnapshotSpecs.created(s)))
            .toList();
    String uid = s.getMetadata().getUid();
    if (windows.running(uid) || windows.finishedGroup(uid).isPresent()) {
      return noChange(d); // decided from a copy older than the window's start
    }
    FreezeSlots.WholeAdmission admitted =
        slots.tryAdmitWhole(new FreezeAdmission.Request(entries), uid, List.of());
    if (admitted == FreezeSlots.WholeAdmission.NEVER_FITS) {
      return d.fail(
          Reason.INVALID_SPEC.wire(),
          "the group needs "
              + entries.size()
              + " freeze slots at once, more than the freeze caps allow (cluster "
              + settings.maxConcurrentFreezes()
              + ", per node "
              + settings.maxFreezesPerNode()
              + "); it can never start");
    }
    if (admitted == FreezeSlots.WholeAdmission.WAITING) {
      return d.waiting(
          Reason.WAITING_FOR_FREEZE_SLOT.wire(),
          "the freeze caps are reached; the group of "
              + entries.size()
              + " VM(s) waits until all of them can freeze at once",
          null);
    }
    if (!windows.tryReserve()) {
      slots.releaseWhole(ns, s.getMetadata().getName());
      return d.waiting(
          Reason.WAITING_FOR_FREEZE_SLOT.wire(),
          "every KubeVirt window thread of the operator is busy; the group waits",
          null);
    }
    long needed = entries.stream().filter(e -> e.node() != null).count();
    Optional<String> lost;
    try {
      lost = takeSlotLeases(s, needed, ledger);
    } catch (RuntimeException e) {
      windows.cancelReservation();
      throw e;
    }
    if (lost.isPresent()) {
      windows.cancelReservation();
      return d.waiting(
          Reason.WAITING_FOR_FREEZE_SLOT.wire(),
          lost.get() + "; the group gave back the slots it had taken and waits",
          null);
    }
    // each VM's definition, for restores into new VMs
    d.members(
        VmDefinitions.withDefinitions(
            planned,
            group.running().stream()
                .collect(
                    Collectors.toMap(
                        GroupSourceResolver.Running::name, GroupSourceResolver.Running::vm))));
    d.volumeGroup(volumeGroup); // the group planned, or the fallback Event's reason
    List<String> vms = group.running().stream().map(GroupSourceResolver.Running::name).toList();
    String message =
        (mode == QuiesceMode.Skip
                ? "cutting " + vms + " without a freeze (quiesce.mode Skip)"
                : "freezing " + vms + " together through KubeVirt's freeze subresource")
            + (group.leftOut().isEmpty()
                ? ""
                : "; left out: "
                    + group.leftOut().stream()
                        .map(GroupSourceResolver.LeftOut::message)
                        .collect(Collectors.joining("; ")));
    Decision started =
        d.start(
            null,
            null,
            Action.FREEZE_THROUGH_KUBEVIRT,
            Reason.FREEZING_THROUGH_KUBEVIRT.wire(),
            message);
    try {
      if (volumeGroup.group() != null) {
        // before the window: inside it, only the group is created (and, under BestEffort, the
        // label taken off the PVCs of a VM that did not freeze)
        groupActions.labelClaims(
            ns, volumeGroup.group(), ConsistencyGroupVolumes.claims(plan.members()));
      }
      writer.writeStatus(context, s, started.status());
    } catch (RuntimeException e) {
      windows.cancelReservation();
      slots.releaseWhole(ns, s.getMetadata().getName());
      throw e;
    }
    QuiescedSnapshot basis = ApiValues.copy(s);
    basis.setStatus(started.status());
    Duration window =
        KubeVirtFreezeWindow.windowLength(
            SnapshotSpecs.quiesceTimeout(s), settings.freezeTimeoutMax());
    windows.startGroup(
        basis,
        () ->
            new GroupFreezeWindow(kubeVirtApi, GroupFreezeWindow.reportedFrozen(client, ns), clock)
                .run(
                    ns,
                    vms,
                    mode,
                    window,
                    (deadline, frozen) -> cut(basis, planned, mode, deadline, frozen)));
    List<SnapshotEvent> events = new ArrayList<>(started.events());
    if (!plan.memoryDumps().isEmpty()) {
      events.add(
          new SnapshotEvent(
              true,
              Reason.VOLUMES_EXCLUDED.wire(),
              "memoryDump volume(s) left out of the group snapshot: " + plan.memoryDumps()));
    }
    return withEvents(started, events);
  }

  /**
   * Names the group on the slot Lease of each of its grants (compare-and-swap, as single snapshots'
   * grants), all or none, before anything is written or frozen: on the first slot lost (another
   * operator holds it, or the ledger learned so meanwhile) the Leases taken are given back and the
   * group's grants released, so it never holds some slots while waiting for others.
   *
   * @return empty when every grant's Lease names the group now; else why not
   */
  private Optional<String> takeSlotLeases(
      QuiescedSnapshot s, long needed, SlotLeases.Ledger ledger) {
    String ns = s.getMetadata().getNamespace();
    String name = s.getMetadata().getName();
    List<FreezeSlots.Grant> grants = slots.wholeGrants(ns, name);
    Optional<String> lost =
        grants.size() == needed
            ? Optional.empty()
            : Optional.of("a freeze slot of the group was taken meanwhile");
    List<FreezeSlots.Grant> taken = new ArrayList<>();
    try {
      for (FreezeSlots.Grant g : grants) {
        if (lost.isPresent()) {
          break;
        }
        Optional<SlotLeases.Holder> holder = slotLeases.acquire(g, ledger);
        if (holder.isEmpty()) {
          taken.add(g);
        } else {
          lost =
              Optional.of(
                  "freeze slot "
                      + slotLeases.leaseName(g.slot())
                      + (holder.get().name() == null
                          ? " is held elsewhere"
                          : " is held by " + holder.get().namespace() + "/" + holder.get().name())
                      + " (another operator)");
        }
      }
    } catch (RuntimeException e) { // a request failed: nothing froze, give back what was taken
      giveBack(ns, name, taken);
      throw e;
    }
    if (lost.isPresent()) {
      giveBack(ns, name, taken);
    }
    return lost;
  }

  /**
   * The group did not take all its slots: the Leases it took name nobody again (best effort: a
   * Lease left naming the group only counts until the group ends) and its grants are released.
   */
  private void giveBack(String ns, String name, List<FreezeSlots.Grant> taken) {
    slots.releaseWhole(ns, name);
    for (FreezeSlots.Grant g : taken) {
      try {
        slotLeases.release(g);
      } catch (RuntimeException e) {
        LOG.info("{}/{}: slot {} not given back: {}", ns, name, g.slot(), e.getMessage());
      }
    }
  }

  /**
   * The one cut of the group, then a wait (by watch) for it. With a planned VolumeGroupSnapshot:
   * the group over the PVCs of every frozen VM (of every VM under Skip), done when the group has
   * its {@code creationTime}; a VM BestEffort left unfrozen has its PVCs' label taken off first and
   * its volumes cut one by one. Without: every VolumeSnapshot, each labelled with its own VM
   * ({@code quiesce.io/vm}).
   */
  private String cut(
      QuiescedSnapshot basis,
      List<GroupMember> members,
      QuiesceMode mode,
      Instant deadline,
      List<String> frozen) {
    String ns = basis.getMetadata().getNamespace();
    Optional<VolumeGroupSnapshotRecord> group = GroupSnapshotRequests.planned(basis);
    List<GroupMember> inGroup = new ArrayList<>();
    List<GroupMember> perVolume = new ArrayList<>();
    for (GroupMember m : members) {
      if (group.isPresent() && ConsistencyGroupVolumes.inGroup(m, mode, frozen)) {
        inGroup.add(m);
      } else if (m.getVolumeSnapshots() != null) {
        perVolume.add(
            group.isPresent()
                ? ConsistencyGroupVolumes.perVolume(basis.getMetadata().getName(), m)
                : m);
      }
    }
    try {
      if (group.isPresent() && !perVolume.isEmpty()) {
        groupActions.unlabelClaims(ns, group.get(), ConsistencyGroupVolumes.claims(perVolume));
      }
      if (!inGroup.isEmpty()) {
        GroupSnapshotRequests.createOrReuse(client, basis, group.get()); // one cut for all
      }
      for (GroupMember m : perVolume) {
        QuiescedSnapshot ofVm = ApiValues.copy(basis); // the provenance labels name this VM
        ofVm.getSpec().setSource(m.getVm());
        volumeSnapshots.createMissing(ofVm, m.getVolumeSnapshots());
      }
    } catch (VolumeSnapshots.ConflictException | GroupSnapshotRequests.NotOursException e) {
      return Reason.VOLUME_SNAPSHOT_CONFLICT.wire();
    }
    if (!inGroup.isEmpty()) {
      String groupCut = singleWindow.awaitGroupCut(ns, group.get(), deadline);
      if (!Reason.FROZEN.is(groupCut)) {
        return groupCut;
      }
    }
    return singleWindow.awaitCuts(ns, GroupDiskPlanner.allDisks(perVolume), deadline);
  }

  /** The window ran (or was lost): record it, or wait for it. */
  private Decision windowEnded(
      QuiescedSnapshot s, Observation o, Draft d, Context<QuiescedSnapshot> context) {
    String uid = s.getMetadata().getUid();
    List<GroupMember> planned = s.getStatus().getMembers();
    Optional<KubeVirtWindows.GroupWindowResult> ended = windows.finishedGroup(uid);
    if (ended.isPresent()) {
      return recorded(s, o, d, planned, ended.get());
    }
    if (windows.running(uid)) {
      return noChange(d);
    }
    QuiescedSnapshot latest = writer.latest(s);
    if (latest == null
        || !Objects.equals(
            latest.getMetadata().getResourceVersion(), s.getMetadata().getResourceVersion())) {
      return noChange(d); // an old copy: the newer one is reconciled next
    }
    // no operator runs this window any more: unfreeze every VM it may have frozen
    String ns = s.getMetadata().getNamespace();
    List<GroupMember> members = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (GroupMember m : planned) {
      GroupMember r = ApiValues.copy(m);
      if (m.getFreeze() == null) {
        try {
          kubeVirtApi.unfreeze(ns, m.getVm());
        } catch (KubeVirtFreezeApi.KubeVirtFreezeException e) {
          failed.add(m.getVm() + ": " + e.getMessage());
        }
        r.setFrozen(false);
        r.setFreeze(
            KubeVirtWindows.interrupted(
                "no operator runs this group's freeze window any more (operator restarted)"));
      }
      members.add(r);
    }
    d.members(members);
    return withAction(
        d.fail(
            Reason.KUBEVIRT_WINDOW_INTERRUPTED.wire(),
            "no operator runs this group's KubeVirt freeze window any more (operator restarted);"
                + (failed.isEmpty()
                    ? " KubeVirt's unfreeze was called for every VM"
                    : " KubeVirt's unfreeze failed for "
                        + failed
                        + ", its unfreezeTimeout thaws those guests")),
        Action.AWAIT_KUBEVIRT_WINDOW);
  }

  /** The window's members, common window and consistency; the snapshot fails if it must. */
  private Decision recorded(
      QuiescedSnapshot s,
      Observation o,
      Draft d,
      List<GroupMember> planned,
      KubeVirtWindows.GroupWindowResult result) {
    if (result.error() != null) {
      return withAction(
          d.fail(
              Reason.FREEZE_FAILED.wire(),
              "the group's freeze window ended with an error (every VM was unfrozen): "
                  + result.error()),
          Action.AWAIT_KUBEVIRT_WINDOW);
    }
    GroupFreezeWindow.Outcome outcome = result.outcome();
    Map<String, GroupMember> ran =
        outcome.members().stream()
            .collect(Collectors.toMap(GroupMember::getVm, Function.identity(), (a, b) -> a));
    QuiesceMode mode = SnapshotSpecs.mode(s);
    Optional<VolumeGroupSnapshotRecord> group = GroupSnapshotRequests.planned(s);
    List<String> frozen =
        outcome.members().stream()
            .filter(m -> Boolean.TRUE.equals(m.getFrozen()))
            .map(GroupMember::getVm)
            .toList();
    List<GroupMember> members = new ArrayList<>();
    boolean anyInGroup = false;
    for (GroupMember m : planned) {
      GroupMember r = ApiValues.copy(m);
      GroupMember w = ran.get(m.getVm());
      if (w != null) {
        r.setFrozen(w.getFrozen());
        r.setFreeze(w.getFreeze());
      }
      if (group.isPresent() && outcome.cut() && r.getVolumeSnapshots() != null) {
        if (ConsistencyGroupVolumes.inGroup(r, mode, frozen)) {
          anyInGroup = true;
        } else { // kept out of the group cut (not frozen): cut one by one, as the cut named them
          r = ConsistencyGroupVolumes.perVolume(s.getMetadata().getName(), r);
        }
      }
      members.add(r);
    }
    d.members(members);
    d.commonWindow(outcome.commonWindow());
    if (group.isPresent() && outcome.cut() && !anyInGroup) {
      d.volumeGroupSnapshot(null); // no VM in the group cut: no group was created
    } else if (group.isPresent()) { // the group as the window left it (its error, if any)
      QuiescedSnapshotStatus followed = new QuiescedSnapshotStatus();
      followed.setVolumeGroupSnapshot(group.get());
      GroupMembers.follow(followed, o);
      d.volumeGroupSnapshot(followed.getVolumeGroupSnapshot());
    }
    if (!outcome.cut()) {
      return withAction(
          d.fail(outcome.reason(), Objects.requireNonNullElse(outcome.message(), outcome.reason())),
          Action.AWAIT_KUBEVIRT_WINDOW);
    }
    Verdict verdict;
    if (mode == QuiesceMode.Skip) {
      verdict = new Verdict(Consistency.CrashConsistent, Reason.QUIESCE_SKIPPED.wire());
    } else if (Reason.FROZEN.is(outcome.reason())) {
      verdict = new Verdict(Consistency.FilesystemConsistent, Reason.FROZEN.wire());
    } else if (mode == QuiesceMode.Required
        || Reason.VOLUME_SNAPSHOT_CONFLICT.is(outcome.reason())) {
      return withAction(
          d.fail(
              outcome.reason(),
              "the group's cut did not complete inside the common window ("
                  + outcome.reason()
                  + groupError(s, o).map(e -> ": " + e).orElse("")
                  + "); every VM was thawed"),
          Action.AWAIT_KUBEVIRT_WINDOW);
    } else {
      verdict = new Verdict(Consistency.CrashConsistent, outcome.reason()); // BestEffort
    }
    d.consistency(verdict);
    Decision followed =
        follow(
            s,
            o,
            d,
            members,
            outcome.commonWindow(),
            verdict.consistency(),
            anyInGroup ? group.get() : null);
    List<SnapshotEvent> events = new ArrayList<>(followed.events());
    if (outcome.message() != null) {
      events.add(new SnapshotEvent(true, outcome.reason(), outcome.message()));
    }
    return withAction(withEvents(followed, events), Action.AWAIT_KUBEVIRT_WINDOW);
  }

  /** The planned VolumeGroupSnapshot's error, as observed ("VolumeGroupSnapshot ns/name: ..."). */
  private static Optional<String> groupError(QuiescedSnapshot s, Observation o) {
    return o.groups()
        .groupSnapshot()
        .filter(g -> g.getStatus() != null && g.getStatus().getError() != null)
        .map(
            g ->
                "VolumeGroupSnapshot "
                    + s.getMetadata().getNamespace()
                    + "/"
                    + g.getMetadata().getName()
                    + " failed: "
                    + Objects.requireNonNullElse(
                        g.getStatus().getError().getMessage(), "unknown error"));
  }

  /**
   * Follows every member's VolumeSnapshots to readyToUse; with a VolumeGroupSnapshot, also the
   * group's progress ({@code status.volumeGroupSnapshot}), and each disk of the group cut is named
   * after the member VolumeSnapshot its controller made of the disk's PVC.
   */
  private Decision follow(
      QuiescedSnapshot s,
      Observation o,
      Draft d,
      List<GroupMember> current,
      CommonWindow common,
      Consistency consistency,
      VolumeGroupSnapshotRecord group) {
    if (group != null) {
      QuiescedSnapshotStatus followedStatus = new QuiescedSnapshotStatus();
      followedStatus.setVolumeGroupSnapshot(group);
      GroupMembers.follow(followedStatus, o); // the group's creationTime, readyToUse, error
      d.volumeGroupSnapshot(followedStatus.getVolumeGroupSnapshot());
      Optional<String> error = groupError(s, o);
      if (error.isPresent()) {
        return d.fail(Reason.VOLUME_GROUP_SNAPSHOT_FAILED.wire(), error.get());
      }
    }
    List<GroupMember> members = new ArrayList<>();
    List<VolumeSnapshotRecord> all = new ArrayList<>();
    for (GroupMember m : current) {
      GroupMember copy = ApiValues.copy(m);
      if (m.getVolumeSnapshots() != null) {
        List<VolumeSnapshotRecord> records = new ArrayList<>();
        for (VolumeSnapshotRecord planned : m.getVolumeSnapshots()) {
          VolumeSnapshotRecord r = ApiValues.copy(planned);
          if (group != null && r.getVolumeSnapshotName() == null) {
            GroupMembers.memberOf(o, group.getName(), r.getPersistentVolumeClaim())
                .ifPresent(vs -> r.setVolumeSnapshotName(vs.getMetadata().getName()));
          }
          VolumeSnapshot vs = o.volumeSnapshots().get(r.getVolumeSnapshotName());
          VolumeSnapshotStatus vss = vs == null ? null : vs.getStatus();
          if (vss != null) {
            r.setCreationTime(vss.getCreationTime());
            r.setReadyToUse(vss.getReadyToUse());
            r.setRestoreSize(vss.getRestoreSize());
            r.setError(
                vss.getError() == null
                    ? null
                    : Objects.requireNonNullElse(vss.getError().getMessage(), "unknown error"));
          }
          records.add(r);
        }
        copy.setVolumeSnapshots(records);
        all.addAll(records);
      }
      members.add(copy);
    }
    d.members(members);
    Instant deadline = SnapshotSpecs.deadline(s);
    Optional<VolumeSnapshotRecord> error =
        all.stream().filter(r -> r.getError() != null).findFirst();
    if (error.isPresent()) {
      return d.fail(
          Reason.VOLUME_SNAPSHOT_FAILED.wire(),
          "VolumeSnapshot "
              + error.get().getVolumeSnapshotName()
              + " failed: "
              + error.get().getError());
    }
    boolean groupReady =
        group == null
            || o.groups()
                .groupSnapshot()
                .map(
                    g ->
                        g.getStatus() != null && Boolean.TRUE.equals(g.getStatus().getReadyToUse()))
                .orElse(false);
    if (groupReady && all.stream().allMatch(r -> Boolean.TRUE.equals(r.getReadyToUse()))) {
      if (consistency == Consistency.FilesystemConsistent && !cutsInside(common, all)) {
        d.consistency(
            new Verdict(Consistency.CrashConsistent, Reason.CUT_OUTSIDE_FREEZE_WINDOW.wire()));
      }
      return d.succeed();
    }
    if (!o.now().isBefore(deadline)) {
      return d.fail(
          Reason.DEADLINE_EXCEEDED.wire(),
          "not every VolumeSnapshot was ready to use by the failureDeadline");
    }
    return d.progressing(
        Reason.WAITING_FOR_VOLUME_SNAPSHOTS.wire(),
        "waiting for every VolumeSnapshot of the group to be ready to use",
        Action.NONE,
        null,
        List.of(),
        deadline);
  }

  /**
   * A FilesystemConsistent verdict holds only when every cut lies in the common window (the
   * storage's clock against the operator's: whole seconds and {@link ClockSkew#TOLERANCE}, as the
   * cut was seen before the first unfreeze request).
   */
  private static boolean cutsInside(CommonWindow common, List<VolumeSnapshotRecord> all) {
    if (common == null || common.getStartTime() == null || common.getEndTime() == null) {
      return false;
    }
    Instant start =
        Instant.parse(common.getStartTime())
            .truncatedTo(ChronoUnit.SECONDS)
            .minus(ClockSkew.TOLERANCE);
    Instant end = Instant.parse(common.getEndTime()).plus(ClockSkew.TOLERANCE);
    return all.stream()
        .map(VolumeSnapshotRecord::getCreationTime)
        .allMatch(
            t -> t != null && !Instant.parse(t).isBefore(start) && !Instant.parse(t).isAfter(end));
  }

  /** The VMs a group may name: those found by name, or every VM of the namespace (a selector). */
  private List<VirtualMachine> candidates(QuiescedSnapshot s, ClusterReads reads) {
    String ns = s.getMetadata().getNamespace();
    if (s.getSpec().getSources().getVms() != null) {
      return s.getSpec().getSources().getVms().stream()
          .map(vm -> reads.vm(ns, vm))
          .flatMap(Optional::stream)
          .toList();
    }
    return client.resources(VirtualMachine.class).inNamespace(ns).list().getItems();
  }

  /** Nothing to write or do now; look again soon. */
  private Decision noChange(Draft d) {
    return new Decision(
        null,
        Action.NONE,
        List.of(),
        null,
        List.of(),
        Optional.of(settings.waitRequeue()),
        Optional.empty(),
        null);
  }

  private static Decision withEvents(Decision d, List<SnapshotEvent> events) {
    return new Decision(
        d.status(), d.action(), d.plan(), d.node(), events, d.requeue(), d.outcome(), d.channel());
  }

  /** Marks a decision as the one that writes the window's record (its grants are given back). */
  private static Decision withAction(Decision d, Action action) {
    return new Decision(
        d.status(), action, d.plan(), d.node(), d.events(), d.requeue(), d.outcome(), d.channel());
  }
}
