package io.quiesce.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.ApiValues;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.HelperHandBack;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceStatus;
import io.quiesce.naming.ChildNames;
import io.quiesce.snapshot.Decision.Action;
import io.quiesce.status.Conditions;
import io.quiesce.status.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The lifecycle of one QuiescedSnapshot as a pure function: {@link #decide} maps an {@link
 * Observation} to a {@link Decision} without I/O, by the snapshot's {@link SnapshotStage}, derived
 * once from its status. Pending snapshots are resolved and either fail, wait, or start (assigned to
 * the node helper, frozen through KubeVirt, or cut at once when no freeze is needed); InProgress
 * snapshots follow the freeze record and the VolumeSnapshots; Succeeded and Failed are terminal.
 * The status being decided is a {@link Draft}.
 */
public final class SnapshotStateMachine {
  public static final String READY = Conditions.READY;
  public static final String PROGRESSING = "Progressing";
  public static final String FAILED = "Failed";

  private SnapshotStateMachine() {}

  public static Decision decide(Observation o) {
    SnapshotStage stage = SnapshotStage.of(o.snapshot().getStatus());
    Draft draft = new Draft(o);
    try {
      return switch (stage) {
        case PENDING -> pending(o, draft);
        case DONE -> draft.done();
        default -> inProgress(stage, o, draft);
      };
    } catch (IllegalArgumentException e) {
      // a malformed duration in a spec the API server did not validate
      return draft.fail(Reason.INVALID_SPEC.wire(), e.getMessage());
    }
  }

  /** The snapshot fails for a reason found while acting on a decision. */
  public static Decision fail(Observation o, String reason, String message) {
    return new Draft(o).fail(reason, message);
  }

  private static Decision pending(Observation o, Draft d) {
    QuiescedSnapshot s = o.snapshot();
    Optional<VirtualMachineInstance> vmi = o.vmi().filter(SnapshotStateMachine::isLive);
    boolean migrating =
        vmi.map(
                i ->
                    i.getStatus().getMigrationState() != null
                        && i.getStatus().getMigrationState().isInProgress())
            .orElse(false);
    if (!o.now().isBefore(SnapshotSpecs.deadline(s))) {
      return migrating
          ? d.fail(
              Reason.MIGRATION_IN_PROGRESS.wire(),
              "VirtualMachineInstance " + vmName(s) + " was still migrating at the failureDeadline")
          : d.fail(
              Reason.DEADLINE_EXCEEDED.wire(),
              "the snapshot could not start before its failureDeadline (" + waitingFor(o) + ")");
    }
    if (o.vm().isEmpty()) {
      return d.fail(
          Reason.SOURCE_NOT_FOUND.wire(),
          "VirtualMachine "
              + vmName(s)
              + " not found in namespace "
              + s.getMetadata().getNamespace());
    }
    DiskPlanner.Plan plan = DiskPlanner.plan(o.vm().get(), vmi, SnapshotSpecs.spec(s).getVolumes());
    if (!plan.ok()) {
      return d.fail(plan.failureReason(), plan.failureMessage());
    }
    d.volumes(plan);
    VolumeGroupPlanner.Choice group =
        VolumeGroupPlanner.choose(
            s,
            plan.disks().stream().map(DiskPlanner.Disk::claim).toList(),
            o.pvcDrivers(),
            o.groups());
    if (!group.ok()) {
      return d.fail(group.failureReason(), group.failureMessage());
    }
    d.volumeGroup(group);
    List<VolumeSnapshotRecord> records = new ArrayList<>();
    for (DiskPlanner.Disk disk : plan.disks()) {
      Optional<String> driver = o.pvcDrivers().get(disk.claim());
      if (driver == null) {
        return d.fail(
            Reason.PERSISTENT_VOLUME_CLAIM_NOT_FOUND.wire(),
            "PersistentVolumeClaim " + disk.claim() + " of volume " + disk.volume() + " not found");
      }
      VolumeSnapshotRecord r = new VolumeSnapshotRecord();
      r.setVolume(disk.volume());
      r.setPersistentVolumeClaim(disk.claim());
      r.setHotplugged(disk.hotplugged() ? true : null);
      if (group.group() == null) {
        SnapshotClassSelector.Choice choice =
            SnapshotClassSelector.choose(
                disk.claim(),
                driver.orElse(null),
                SnapshotSpecs.spec(s).getVolumeSnapshotClassName(),
                o.classes());
        if (!choice.ok()) {
          return d.fail(choice.reason(), choice.message());
        }
        r.setVolumeSnapshotName(
            ChildNames.volumeSnapshot(s.getMetadata().getName(), disk.volume()));
        r.setVolumeSnapshotClassName(choice.className());
      } // a group member's name is the group controller's: followed once it exists
      records.add(r);
    }
    if (migrating) {
      return d.waiting(
          Reason.MIGRATING.wire(),
          "VirtualMachineInstance " + vmName(s) + " is migrating; waiting for it to settle",
          null);
    }
    String node = vmi.map(i -> i.getStatus().getNodeName()).orElse(null);
    if (vmi.isPresent() && node == null) {
      return d.waiting(
          Reason.WAITING_FOR_NODE.wire(),
          "VirtualMachineInstance " + vmName(s) + " is not on a node yet",
          null);
    }
    if (o.admission().vmBusy()) {
      return d.waiting(
          Reason.WAITING_FOR_OTHER_SNAPSHOT.wire(),
          "another QuiescedSnapshot of VirtualMachine " + vmName(s) + " goes first",
          null);
    }
    if (vmi.isEmpty()) {
      return d.createDirectly(
          records,
          Consistency.FilesystemConsistent,
          Reason.VIRTUAL_MACHINE_STOPPED.wire(),
          "VirtualMachine " + vmName(s) + " is stopped: no guest has the disks mounted");
    }
    QuiesceMode mode = SnapshotSpecs.mode(s);
    if (mode == QuiesceMode.Skip) {
      return d.createDirectly(
          records,
          Consistency.CrashConsistent,
          Reason.QUIESCE_SKIPPED.wire(),
          "quiesce.mode is Skip: the guest is not frozen");
    }
    if (VmiPreflight.isPaused(vmi.get())) {
      // as KubeVirt's VirtualMachineSnapshot (indication Paused): no freeze, crash-consistent
      String message =
          "VirtualMachineInstance "
              + vmName(s)
              + " is paused: its guest agent cannot freeze, so"
              + " the disks are quiescent at the block level but not filesystem-consistent";
      if (mode == QuiesceMode.Required) {
        return d.fail(
            Reason.VIRTUAL_MACHINE_PAUSED.wire(),
            message
                + ". Unpause it (virtctl unpause vm "
                + vmName(s)
                + ") and create the snapshot again, or set quiesce.mode BestEffort to accept a"
                + " crash-consistent snapshot of a paused VM");
      }
      return d.createUnfrozen(
          records,
          Reason.VIRTUAL_MACHINE_PAUSED.wire(),
          message
              + "; quiesce.mode is"
              + " BestEffort, so the snapshot is taken without a freeze (crash-consistent). Unpause the VM"
              + " (virtctl unpause vm "
              + vmName(s)
              + ") for a filesystem-consistent one");
    }
    if (VmiPreflight.isWindows(vmi.get())
        && VmiPreflight.freezeTimeout(s).compareTo(VmiPreflight.VSS_HOLD_LIMIT) > 0) {
      String message =
          "VirtualMachineInstance "
              + vmName(s)
              + " runs Windows, whose VSS holds writes for at"
              + " most 10 s, and quiesce.timeout asks for "
              + VmiPreflight.freezeTimeout(s).toMillis()
              + " ms:"
              + " a freeze that long would end unnoticed inside the window. Set quiesce.timeout to 10s or less";
      if (mode == QuiesceMode.Required) {
        return d.fail(Reason.WINDOWS_FREEZE_TIMEOUT_TOO_LONG.wire(), message);
      }
      return d.createUnfrozen(
          records,
          Reason.WINDOWS_FREEZE_TIMEOUT_TOO_LONG.wire(),
          message
              + "; quiesce.mode is BestEffort, so the snapshot is taken without a freeze (crash-consistent)");
    }
    if (!vmi.get().getStatus().isAgentConnected()) {
      Optional<Instant> waitUntil = VmiPreflight.agentWaitUntil(vmi.get(), s);
      if (waitUntil.isPresent() && o.now().isBefore(waitUntil.get())) {
        // a guest that has just booted connects its agent a little later
        return d.waiting(
            Reason.WAITING_FOR_GUEST_AGENT.wire(),
            "VirtualMachineInstance "
                + vmName(s)
                + " started running at "
                + VmiPreflight.runningSince(vmi.get()).orElseThrow()
                + "; waiting until "
                + waitUntil.get()
                + " for its guest agent to connect",
            null);
      }
      String message =
          "the guest agent of VirtualMachineInstance " + vmName(s) + " is not connected";
      if (mode == QuiesceMode.Required) {
        return d.fail(Reason.AGENT_NOT_CONNECTED.wire(), message + " and quiesce.mode is Required");
      }
      return d.createDirectly(
          records,
          Consistency.CrashConsistent,
          Reason.AGENT_NOT_CONNECTED.wire(),
          message + "; quiesce.mode is BestEffort, so the snapshot is crash-consistent");
    }
    if (!o.admission().slotFree()) {
      return d.waiting(
          Reason.WAITING_FOR_FREEZE_SLOT.wire(),
          "the freeze caps are reached; waiting for a free slot on node " + node,
          node);
    }
    ChannelPrecedence.Requested requested;
    try {
      requested = ChannelPrecedence.resolve(s, o.vm(), o.defaultChannel());
    } catch (ChannelPrecedence.InvalidChannelException e) {
      return d.fail(Reason.INVALID_CHANNEL.wire(), e.getMessage());
    }
    QuiesceChannel channel = requested.channel();
    if (SnapshotSpecs.hasHooks(s)
        && (channel == QuiesceChannel.KUBEVIRT_API
            || channel == QuiesceChannel.AUTO && !o.helperAlive())) {
      // KubeVirt's API has no guest-exec: the hooks would be skipped silently (docs/hooks.md)
      return d.fail(
          Reason.HOOKS_REFUSED.wire(),
          "spec.hooks run through the node helper's guest-exec, and this snapshot would be frozen"
              + " through KubeVirt's API, which has none (channel "
              + channel
              + " from "
              + requested.source()
              + (channel == QuiesceChannel.AUTO ? ", no node helper on node " + node : "")
              + "); nothing was run or frozen");
    }
    if (channel == QuiesceChannel.KUBEVIRT_API) {
      return d.start(
          records,
          node,
          Action.FREEZE_THROUGH_KUBEVIRT,
          Reason.FREEZING_THROUGH_KUBEVIRT.wire(),
          "freezing through KubeVirt's freeze subresource on node "
              + node
              + " (channel kubevirt-api from "
              + requested.source()
              + ")");
    }
    if (!o.helperAlive()) {
      if (channel == QuiesceChannel.AUTO) {
        return d.start(
            records,
            node,
            Action.FREEZE_THROUGH_KUBEVIRT,
            Reason.FREEZING_THROUGH_KUBEVIRT.wire(),
            "no node helper is running on node "
                + node
                + "; channel auto freezes through KubeVirt's "
                + "freeze subresource");
      }
      // an explicit helper channel never falls back; the failureDeadline ends the wait
      return d.waiting(
          Reason.WAITING_FOR_NODE_HELPER.wire(),
          "channel "
              + channel
              + " (from "
              + requested.source()
              + ") needs the node helper, and none is running on node "
              + node,
          node);
    }
    d.channel(channel);
    return d.start(
        records,
        node,
        Action.ASSIGN_TO_HELPER,
        Reason.ASSIGNED_TO_NODE.wire(),
        "assigned to the node helper on node "
            + node
            + " (channel "
            + channel
            + " from "
            + requested.source()
            + ")");
  }

  /** InProgress: follows the VolumeSnapshots, then decides by the stage. */
  private static Decision inProgress(SnapshotStage stage, Observation o, Draft d) {
    Instant deadline = SnapshotSpecs.deadline(o.snapshot());
    List<VolumeSnapshotRecord> records = d.followVolumeSnapshots();
    return switch (stage) {
      case KUBEVIRT_WINDOW -> kubeVirtWindow(o, d, records, deadline);
      case AWAITING_HELPER -> awaitingHelper(o, d, records, deadline);
      case KUBEVIRT_FALLBACK -> kubeVirtFallback(o, d, records, deadline);
      case FREEZE_RECORDED -> freezeRecorded(o, d, records, deadline);
      case CUTTING -> cutting(o, d, records, deadline);
      case PENDING, DONE -> throw new IllegalStateException("not in progress: " + stage);
    };
  }

  /** The operator's own KubeVirt window runs (or was lost by a previous operator). */
  private static Decision kubeVirtWindow(
      Observation o, Draft d, List<VolumeSnapshotRecord> records, Instant deadline) {
    // its record ends it
    return d.progressing(
        Reason.FREEZING_THROUGH_KUBEVIRT.wire(),
        o.snapshot().getStatus().getMessage(),
        Action.AWAIT_KUBEVIRT_WINDOW,
        null,
        records,
        deadline);
  }

  /** Waiting for the node helper to freeze, cut and thaw. */
  private static Decision awaitingHelper(
      Observation o, Draft d, List<VolumeSnapshotRecord> records, Instant deadline) {
    QuiescedSnapshot s = o.snapshot();
    QuiescedSnapshotStatus st = s.getStatus();
    if (o.vm().isEmpty()) {
      return d.fail(
          Reason.SOURCE_NOT_FOUND.wire(),
          "VirtualMachine " + vmName(s) + " was deleted before it was frozen");
    }
    if (!o.now().isBefore(deadline)) {
      return d.fail(
          Reason.HELPER_NOT_RESPONDING.wire(),
          "the node helper on node "
              + st.getNodeName()
              + " recorded no freeze before the failureDeadline");
    }
    return d.progressing(
        Reason.ASSIGNED_TO_NODE.wire(),
        "assigned to the node helper on node " + st.getNodeName(),
        Action.ASSIGN_TO_HELPER,
        st.getNodeName(),
        records,
        deadline);
  }

  /**
   * The helper (channel auto) found neither a libvirt nor an agent socket: KubeVirt freezes
   * instead.
   */
  private static Decision kubeVirtFallback(
      Observation o, Draft d, List<VolumeSnapshotRecord> records, Instant deadline) {
    QuiescedSnapshot s = o.snapshot();
    QuiescedSnapshotStatus st = s.getStatus();
    if (!o.now().isBefore(deadline)) {
      return d.fail(
          Reason.NO_AGENT_CHANNEL.wire(),
          "the node helper found no agent channel and the failureDeadline "
              + "passed before KubeVirt could freeze: "
              + handBackMessage(st));
    }
    if (records.stream()
        .anyMatch(r -> o.volumeSnapshots().containsKey(r.getVolumeSnapshotName()))) {
      // the helper created none, so KubeVirt's window ran already and this cache predates its
      // record
      return d.progressing(
          Reason.FREEZING_THROUGH_KUBEVIRT.wire(),
          "waiting for the record of KubeVirt's freeze",
          Action.NONE,
          null,
          records,
          deadline);
    }
    if (o.admission().vmBusy() || !o.admission().slotFree()) {
      // KubeVirt's freeze is a freeze like any other: it waits for a slot under the caps
      return d.progressing(
          Reason.WAITING_FOR_FREEZE_SLOT.wire(),
          "the node helper on node "
              + st.getNodeName()
              + " found no agent channel; waiting for a free freeze slot to freeze through KubeVirt",
          Action.NONE,
          null,
          records,
          deadline);
    }
    return d.fallBackToKubeVirt(
        records,
        "the node helper on node "
            + st.getNodeName()
            + " found no agent channel ("
            + handBackMessage(st)
            + "); freezing through KubeVirt's freeze "
            + "subresource instead");
  }

  /** A freeze is recorded: its record and the cuts decide the consistency, or the failure. */
  private static Decision freezeRecorded(
      Observation o, Draft d, List<VolumeSnapshotRecord> records, Instant deadline) {
    QuiescedSnapshot s = o.snapshot();
    FreezeRecord freeze = s.getStatus().getFreeze();
    HelperHandBack handBack = s.getStatus().getHelperHandBack();
    // no freeze record but a hand-back with no fallback (any reason but NoAgentChannel): the
    // helper froze nothing, so it counts as a refused freeze of that reason
    String reason =
        Objects.requireNonNullElse(
            freeze != null ? freeze.getReason() : handBack.getReason(),
            Reason.FREEZE_FAILED.wire());
    String error = freeze != null ? freeze.getError() : handBack.getMessage();
    String detail = error == null ? "" : ": " + error;
    if (freeze != null
        && (reason.equals(Reason.FROZEN.wire())
            || KubeVirtFreezeConfirmation.UNCONFIRMED.contains(reason))) {
      // every disk cut inside the window; the verdict says whether the freeze is confirmed
      Optional<Decision> failed = d.failOnVolumeSnapshotError(records);
      if (failed.isPresent()) {
        return failed.get();
      }
      if (records.stream().anyMatch(r -> r.getCreationTime() == null)) {
        return !o.now().isBefore(deadline)
            ? d.fail(
                Reason.DEADLINE_EXCEEDED.wire(),
                "not every VolumeSnapshot was cut by the " + "failureDeadline")
            : d.progressing(
                Reason.WAITING_FOR_VOLUME_SNAPSHOTS.wire(),
                "waiting for every VolumeSnapshot to be cut",
                Action.NONE,
                null,
                records,
                deadline);
      }
      d.consistency(honestConsistency(freeze, records));
      return followCuts(o, d, records, deadline, Action.NONE);
    }
    if (reason.equals(Reason.VOLUME_SNAPSHOT_FAILED.wire())
        || Reason.HOOKS_STOPPED.contains(reason)
        || SnapshotSpecs.mode(s) != QuiesceMode.BestEffort) {
      return d.fail(reason, "the freeze did not succeed (" + reason + ")" + detail);
    }
    d.consistency(new Verdict(Consistency.CrashConsistent, reason));
    // the helper may have created none
    return followCuts(o, d, records, deadline, Action.CREATE_VOLUME_SNAPSHOTS);
  }

  /** The consistency is decided: the operator creates what is missing of a cut without freeze. */
  private static Decision cutting(
      Observation o, Draft d, List<VolumeSnapshotRecord> records, Instant deadline) {
    QuiescedSnapshot s = o.snapshot();
    QuiescedSnapshotStatus st = s.getStatus();
    boolean unfrozen = st.getFreeze() == null;
    Action action =
        unfrozen
                && (st.getVolumeGroupSnapshot() != null
                    ? o.groups().groupSnapshot().isEmpty()
                    : records.stream()
                        .anyMatch(r -> !o.volumeSnapshots().containsKey(r.getVolumeSnapshotName())))
            ? Action.CREATE_VOLUME_SNAPSHOTS // no freeze needed; created by the operator
            : Action.NONE;
    if (unfrozen
        && Reason.VIRTUAL_MACHINE_STOPPED.is(st.getConsistencyReason())
        && startedBeforeTheCut(o, records)) {
      // the VM started between the decision and the cut: a guest had the disks, unfrozen
      String message =
          "VirtualMachine " + vmName(s) + " started before every disk was cut, and was not frozen";
      if (SnapshotSpecs.mode(s) == QuiesceMode.Required) {
        return d.fail(Reason.VIRTUAL_MACHINE_STARTED_BEFORE_CUT.wire(), message);
      }
      d.consistency(
          new Verdict(
              Consistency.CrashConsistent, Reason.VIRTUAL_MACHINE_STARTED_BEFORE_CUT.wire()));
    }
    return followCuts(o, d, records, deadline, action);
  }

  /**
   * A planned VolumeGroupSnapshot is ready to use too (its controller may mark the members ready
   * before the group).
   */
  static boolean groupReadyIfPlanned(Observation o) {
    QuiescedSnapshotStatus st = o.snapshot().getStatus();
    return st == null
        || st.getVolumeGroupSnapshot() == null
        || o.groups()
            .groupSnapshot()
            .map(g -> g.getStatus() != null && Boolean.TRUE.equals(g.getStatus().getReadyToUse()))
            .orElse(false);
  }

  /** Succeeds once every VolumeSnapshot is ready to use; fails on an error or at the deadline. */
  private static Decision followCuts(
      Observation o, Draft d, List<VolumeSnapshotRecord> records, Instant deadline, Action action) {
    Optional<Decision> failed = d.failOnVolumeSnapshotError(records);
    if (failed.isPresent()) {
      return failed.get();
    }
    if (records.stream().allMatch(r -> Boolean.TRUE.equals(r.getReadyToUse()))
        && groupReadyIfPlanned(o)) {
      return d.succeed();
    }
    if (!o.now().isBefore(deadline)) {
      return d.fail(
          Reason.DEADLINE_EXCEEDED.wire(),
          "not every VolumeSnapshot was ready to use by the failureDeadline");
    }
    return d.progressing(
        Reason.WAITING_FOR_VOLUME_SNAPSHOTS.wire(),
        "waiting for every VolumeSnapshot to be ready to use",
        action,
        null,
        records,
        deadline);
  }

  /**
   * Whether the operator's KubeVirt window was started (the snapshot was written InProgress with
   * reason {@code FreezingThroughKubeVirt}) and has no record of its own yet.
   */
  static boolean kubeVirtWindowOpen(QuiescedSnapshotStatus st) {
    boolean started =
        Conditions.find(st.getConditions(), PROGRESSING)
            .map(Condition::getReason)
            .filter(Reason.FREEZING_THROUGH_KUBEVIRT.wire()::equals)
            .isPresent();
    return started
        && (st.getFreeze() == null || st.getFreeze().getMethod() != FreezeMethod.KUBEVIRT_API);
  }

  /**
   * The node helper (channel auto) recorded that it found neither a libvirt nor an agent socket,
   * and KubeVirt has not frozen yet: the operator is to freeze through KubeVirt, under a freeze
   * slot.
   */
  static boolean needsKubeVirtFallback(QuiescedSnapshotStatus st) {
    FreezeRecord freeze = st == null ? null : st.getFreeze();
    boolean handedBack =
        st != null
            && (st.getHelperHandBack() != null
                    && Reason.NO_AGENT_CHANNEL.is(st.getHelperHandBack().getReason())
                // a helper before helperHandBack wrote its hand-back as the freeze record
                || freeze != null && Reason.NO_AGENT_CHANNEL.is(freeze.getReason()));
    return handedBack
        && st.getPhase() == SnapshotPhase.InProgress
        && st.getConsistency() == null
        && (freeze == null || freeze.getMethod() != FreezeMethod.KUBEVIRT_API);
  }

  /** What the node helper said when it handed the snapshot back. */
  private static String handBackMessage(QuiescedSnapshotStatus st) {
    return st.getHelperHandBack() != null
        ? st.getHelperHandBack().getMessage()
        : st.getFreeze() == null ? null : st.getFreeze().getError();
  }

  /**
   * FilesystemConsistent only when filesystems were frozen and every cut fell inside the window.
   * The window is on the freezer's clock and the cuts on the storage's: when the freezer thawed
   * because it had seen every cut ({@code thawedBy: Cut}), the cuts provably came before the thaw,
   * and a difference within {@link ClockSkew#TOLERANCE} is the clocks', not the cut's.
   */
  static Verdict honestConsistency(FreezeRecord freeze, List<VolumeSnapshotRecord> records) {
    boolean counted = freeze.getFilesystemsFrozen() != null && freeze.getFilesystemsFrozen() > 0;
    if (!counted) {
      // KubeVirt's freeze subresource does not say how many filesystems it froze
      if (freeze.getFilesystemsFrozen() != null) {
        return new Verdict(Consistency.CrashConsistent, Reason.NO_FILESYSTEMS_FROZEN.wire());
      }
      // a KubeVirt freeze its own reports did not confirm says why; any other record counted
      // nothing
      return new Verdict(
          Consistency.CrashConsistent,
          KubeVirtFreezeConfirmation.UNCONFIRMED.contains(freeze.getReason())
              ? freeze.getReason()
              : Reason.FROZEN_FILESYSTEMS_NOT_COUNTED.wire());
    }
    if (freeze.getStartTime() == null || freeze.getEndTime() == null) {
      return new Verdict(Consistency.CrashConsistent, Reason.FREEZE_WINDOW_UNKNOWN.wire());
    }
    // creationTime may carry whole seconds only: compare the start at that precision
    Duration skew = freeze.getThawedBy() == ThawTrigger.Cut ? ClockSkew.TOLERANCE : Duration.ZERO;
    Instant start =
        Instant.parse(freeze.getStartTime()).truncatedTo(ChronoUnit.SECONDS).minus(skew);
    Instant end = Instant.parse(freeze.getEndTime()).plus(skew);
    boolean inside =
        records.stream()
            .map(r -> Instant.parse(r.getCreationTime()))
            .allMatch(cut -> !cut.isAfter(end) && !cut.isBefore(start));
    return inside
        ? new Verdict(Consistency.FilesystemConsistent, Reason.FROZEN.wire())
        : new Verdict(Consistency.CrashConsistent, Reason.CUT_OUTSIDE_FREEZE_WINDOW.wire());
  }

  /** A consistency and its reason. */
  record Verdict(Consistency consistency, String reason) {}

  /**
   * Whether an instance of the VM exists that may have run before the last cut: any cut still
   * missing, or the instance created before the last cut (plus the clock skew: the instance's
   * creation is on the API server's clock, the cut on the storage's).
   */
  static boolean startedBeforeTheCut(Observation o, List<VolumeSnapshotRecord> records) {
    if (o.vmi().isEmpty()) {
      return false;
    }
    if (records.stream().anyMatch(r -> r.getCreationTime() == null)) {
      return true;
    }
    String created =
        o.vmi().get().getMetadata() == null
            ? null
            : o.vmi().get().getMetadata().getCreationTimestamp();
    if (created == null) {
      return true;
    }
    Instant lastCut =
        records.stream()
            .map(r -> Instant.parse(r.getCreationTime()))
            .max(Instant::compareTo)
            .orElseThrow();
    return Instant.parse(created).isBefore(lastCut.plus(ClockSkew.TOLERANCE));
  }

  private static boolean isLive(VirtualMachineInstance vmi) {
    String phase = vmi.getStatus() == null ? null : vmi.getStatus().getPhase();
    return vmi.getStatus() != null
        && !VirtualMachineInstanceStatus.PHASE_SUCCEEDED.equals(phase)
        && !VirtualMachineInstanceStatus.PHASE_FAILED.equals(phase);
  }

  private static String vmName(QuiescedSnapshot s) {
    return SnapshotSpecs.spec(s).getSource();
  }

  private static String waitingFor(Observation o) {
    String reason =
        Conditions.find(
                o.snapshot().getStatus() == null ? null : o.snapshot().getStatus().getConditions(),
                PROGRESSING)
            .map(Condition::getReason)
            .orElse(null);
    return reason == null ? "never started" : "last state " + reason;
  }

  /**
   * The fields the operator owns, copied (so that comparing and writing never touches the
   * helper's): every field but the freeze record, the helper's hand-back and channel attempts
   * (written by the node helper, or by the operator's KubeVirt window on its own) and the VM
   * definition (written when the snapshot starts, by {@code VmDefinitions}). {@code
   * OperatorFieldsTest} fills every field and checks that exactly these are left out.
   */
  static QuiescedSnapshotStatus operatorFields(QuiescedSnapshotStatus s) {
    // copied without the fields left out (the VM definition is the largest part of a status);
    // several times per reconcile, the whole copy was a twentieth of the operator's CPU in a fire.
    // Through a token buffer: a JSON tree between (valueToTree, then convertValue) cost twice that.
    QuiescedSnapshotStatus c;
    try (TokenBuffer buffer = new TokenBuffer(OPERATOR_FIELDS, false)) {
      OPERATOR_FIELDS.writeValue(buffer, s);
      c = OPERATOR_FIELDS.readValue(buffer.asParser(), QuiescedSnapshotStatus.class);
    } catch (IOException e) {
      throw new UncheckedIOException("status not copied", e);
    }
    c.setFreeze(null);
    c.setHelperHandBack(null);
    c.setChannelAttempts(null);
    c.setVmDefinition(null);
    return c;
  }

  /**
   * Whether two statuses hold the same operator fields: {@code operatorFields(a).equals(
   * operatorFields(b))} without the two copies (once per reconcile).
   */
  static boolean sameOperatorFields(QuiescedSnapshotStatus a, QuiescedSnapshotStatus b) {
    return ApiValues.fieldsEqualExcept(a, b, OTHERS_FIELDS);
  }

  /** The fields {@link #operatorFields} leaves out, by their field and JSON names. */
  static final Set<String> OTHERS_FIELDS =
      Set.of("freeze", "helperHandBack", "channelAttempts", "vmDefinition");

  @JsonIgnoreProperties({"freeze", "helperHandBack", "channelAttempts", "vmDefinition"})
  private abstract static class WithoutOthersFields {}

  /** {@link ApiValues#copy}'s mapper, but blind to the fields the operator does not own. */
  private static final ObjectMapper OPERATOR_FIELDS =
      new ObjectMapper().addMixIn(QuiescedSnapshotStatus.class, WithoutOthersFields.class);

  static String timestamp(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
