package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotStateMachine.FAILED;
import static io.quiesce.snapshot.SnapshotStateMachine.PROGRESSING;
import static io.quiesce.snapshot.SnapshotStateMachine.operatorFields;
import static io.quiesce.snapshot.SnapshotStateMachine.timestamp;

import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.ApiValues;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.snapshot.Decision.Action;
import io.quiesce.snapshot.Decision.SnapshotEvent;
import io.quiesce.snapshot.SnapshotStateMachine.Verdict;
import io.quiesce.status.Conditions;
import io.quiesce.status.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The status being decided: a copy of the operator's current fields, changed step by step. */
final class Draft {
  private final Observation o;
  private final QuiescedSnapshotStatus current;
  private final QuiescedSnapshotStatus next;
  private final Long generation;
  private QuiesceChannel channel;

  /** The group snapshot planned for the cut, if any (written when the snapshot starts). */
  private VolumeGroupSnapshotRecord plannedGroup;

  /** Events said once, when the snapshot leaves Pending. */
  private final List<SnapshotEvent> notes = new ArrayList<>();

  Draft(Observation o) {
    this.o = o;
    this.current =
        o.snapshot().getStatus() == null ? new QuiescedSnapshotStatus() : o.snapshot().getStatus();
    this.next = operatorFields(current);
    this.generation = o.snapshot().getMetadata().getGeneration();
    next.setObservedGeneration(generation);
    if (next.getPhase() == null) {
      next.setPhase(SnapshotPhase.Pending);
    }
  }

  Decision done() {
    return decision(Action.NONE, List.of(), null, List.of(), Optional.empty(), Optional.empty());
  }

  Decision fail(String reason, String message) {
    next.setPhase(SnapshotPhase.Failed);
    next.setCompletionTime(timestamp(o.now()));
    next.setMessage(message);
    setConditions(Conditions.FALSE, reason, message, Conditions.FALSE, Conditions.TRUE);
    return decision(
        Action.NONE,
        List.of(),
        null,
        event(true, reason, message),
        Optional.empty(),
        Optional.of("Failed"));
  }

  Decision waiting(String reason, String message, String node) {
    next.setPhase(SnapshotPhase.Pending);
    if (node != null) {
      next.setNodeName(node); // its place in the freeze queue of that node
    }
    next.setMessage(message);
    setConditions(Conditions.FALSE, reason, message, Conditions.TRUE, null);
    return decision(
        Action.NONE,
        List.of(),
        null,
        event(false, reason, message),
        untilDeadline(),
        Optional.empty());
  }

  /**
   * Snapshots without a freeze a guest a check found unfit for one; a Warning Event says why and
   * what to do.
   */
  Decision createUnfrozen(List<VolumeSnapshotRecord> records, String reason, String message) {
    Decision created = createDirectly(records, Consistency.CrashConsistent, reason, message);
    List<SnapshotEvent> events = new ArrayList<>(created.events());
    events.add(new SnapshotEvent(true, reason, message));
    return new Decision(
        created.status(),
        created.action(),
        created.plan(),
        created.node(),
        events,
        created.requeue(),
        created.outcome(),
        created.channel());
  }

  /** Plans the group snapshot, or says once why each volume gets its own VolumeSnapshot. */
  void volumeGroup(VolumeGroupPlanner.Choice choice) {
    plannedGroup = choice.group();
    if (choice.note() != null) {
      notes.add(new SnapshotEvent(false, Reason.VOLUME_GROUP_FALLBACK.wire(), choice.note()));
    }
  }

  /** Records the volumes the plan leaves out (and says so once, with those hot-plugged in it). */
  void volumes(DiskPlanner.Plan plan) {
    next.setExcludedVolumes(plan.excluded().isEmpty() ? null : plan.excluded());
    List<String> hotplugged =
        plan.disks().stream()
            .filter(DiskPlanner.Disk::hotplugged)
            .map(DiskPlanner.Disk::volume)
            .toList();
    if (!hotplugged.isEmpty()) {
      notes.add(
          new SnapshotEvent(
              false,
              Reason.HOTPLUGGED_VOLUMES_INCLUDED.wire(),
              "hot-plugged volume(s) " + hotplugged + " are included in the snapshot"));
    }
    if (!plan.excluded().isEmpty()) {
      notes.add(
          new SnapshotEvent(
              true,
              Reason.VOLUMES_EXCLUDED.wire(),
              "volume(s) left out of the"
                  + " snapshot (status.excludedVolumes): "
                  + plan.excluded()
                  + "; name them in spec.volumes to"
                  + " include them (memoryDump volumes cannot be)"));
    }
  }

  Decision createDirectly(
      List<VolumeSnapshotRecord> records, Consistency consistency, String reason, String message) {
    next.setPhase(SnapshotPhase.InProgress);
    next.setStartTime(timestamp(o.now()));
    next.setVolumeSnapshots(records);
    next.setVolumeGroupSnapshot(plannedGroup);
    next.setConsistency(consistency);
    next.setConsistencyReason(reason);
    next.setMessage(message);
    setConditions(
        Conditions.FALSE, Reason.CREATING_VOLUME_SNAPSHOTS.wire(), message, Conditions.TRUE, null);
    return decision(
        Action.CREATE_VOLUME_SNAPSHOTS,
        records,
        null,
        event(false, Reason.CREATING_VOLUME_SNAPSHOTS.wire(), message),
        untilDeadline(),
        Optional.empty());
  }

  Decision start(
      List<VolumeSnapshotRecord> records,
      String node,
      Action action,
      String reason,
      String message) {
    next.setPhase(SnapshotPhase.InProgress);
    next.setStartTime(timestamp(o.now()));
    next.setNodeName(node);
    next.setVolumeSnapshots(records);
    next.setVolumeGroupSnapshot(plannedGroup);
    next.setMessage(message);
    setConditions(Conditions.FALSE, reason, message, Conditions.TRUE, null);
    String eventReason = action == Action.ASSIGN_TO_HELPER ? Reason.ASSIGNED.wire() : reason;
    return decision(
        action,
        records,
        node,
        event(false, eventReason, message),
        untilDeadline(),
        Optional.empty());
  }

  /**
   * Freezes through KubeVirt after the helper found no channel; always writes (the record goes with
   * it).
   */
  Decision fallBackToKubeVirt(List<VolumeSnapshotRecord> records, String message) {
    next.setMessage(message);
    setConditions(
        Conditions.FALSE, Reason.FREEZING_THROUGH_KUBEVIRT.wire(), message, Conditions.TRUE, null);
    return new Decision(
        next,
        Action.FREEZE_THROUGH_KUBEVIRT,
        records,
        next.getNodeName(),
        event(false, Reason.FALLING_BACK_TO_KUBEVIRT.wire(), message),
        untilDeadline(),
        Optional.empty(),
        null);
  }

  /** The channel to hand to the node helper with the assignment. */
  void channel(QuiesceChannel channel) {
    this.channel = channel;
  }

  Decision progressing(
      String reason,
      String message,
      Action action,
      String node,
      List<VolumeSnapshotRecord> records,
      Instant deadline) {
    next.setMessage(message);
    setConditions(Conditions.FALSE, reason, message, Conditions.TRUE, null);
    return decision(
        action,
        records,
        node,
        List.of(),
        Optional.of(Duration.between(o.now(), deadline)),
        Optional.empty());
  }

  Decision succeed() {
    next.setPhase(SnapshotPhase.Succeeded);
    next.setCompletionTime(timestamp(o.now()));
    String message =
        "every VolumeSnapshot is ready to use ("
            + next.getConsistency()
            + ", "
            + next.getConsistencyReason()
            + ")";
    next.setMessage(message);
    setConditions(Conditions.TRUE, Reason.SUCCEEDED.wire(), message, Conditions.FALSE, null);
    return decision(
        Action.NONE,
        List.of(),
        null,
        event(false, Reason.SUCCEEDED.wire(), message),
        Optional.empty(),
        Optional.of(String.valueOf(next.getConsistency())));
  }

  /** A consistency group's members ({@code status.members}), planned or with their windows. */
  void members(List<io.quiesce.api.v1alpha1.GroupMember> members) {
    next.setMembers(members);
  }

  /** The group snapshot as followed now ({@code status.volumeGroupSnapshot}); null: none. */
  void volumeGroupSnapshot(VolumeGroupSnapshotRecord followed) {
    next.setVolumeGroupSnapshot(followed);
  }

  /** A consistency group's common window ({@code status.commonWindow}). */
  void commonWindow(io.quiesce.api.v1alpha1.CommonWindow window) {
    next.setCommonWindow(window);
  }

  void consistency(Verdict verdict) {
    next.setConsistency(verdict.consistency());
    next.setConsistencyReason(verdict.reason());
  }

  Optional<Decision> failOnVolumeSnapshotError(List<VolumeSnapshotRecord> records) {
    if (next.getVolumeGroupSnapshot() != null && next.getVolumeGroupSnapshot().getError() != null) {
      return Optional.of(
          fail(
              Reason.VOLUME_GROUP_SNAPSHOT_FAILED.wire(),
              "VolumeGroupSnapshot "
                  + next.getVolumeGroupSnapshot().getName()
                  + " failed: "
                  + next.getVolumeGroupSnapshot().getError()));
    }
    return records.stream()
        .filter(r -> r.getError() != null)
        .findFirst()
        .map(
            r ->
                fail(
                    Reason.VOLUME_SNAPSHOT_FAILED.wire(),
                    "VolumeSnapshot " + r.getVolumeSnapshotName() + " failed: " + r.getError()));
  }

  /** Copies the progress of each existing VolumeSnapshot into its entry of the plan. */
  List<VolumeSnapshotRecord> followVolumeSnapshots() {
    List<VolumeSnapshotRecord> records = new ArrayList<>();
    GroupMembers.follow(next, o);
    for (VolumeSnapshotRecord planned :
        Objects.requireNonNullElse(next.getVolumeSnapshots(), List.<VolumeSnapshotRecord>of())) {
      VolumeSnapshotRecord r = ApiValues.copy(planned);
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
    next.setVolumeSnapshots(records);
    return records;
  }

  private void setConditions(
      String ready, String reason, String message, String progressing, String failed) {
    List<Condition> conditions = next.getConditions();
    // Ready, Reconciling and Stalled as kstatus reads them; Progressing and Failed as before
    Conditions.summarize(
        conditions,
        Conditions.TRUE.equals(ready)
            ? Conditions.Summary.READY
            : Conditions.TRUE.equals(failed)
                ? Conditions.Summary.STALLED
                : Conditions.Summary.RECONCILING,
        reason,
        message,
        generation,
        o.now());
    Conditions.set(conditions, PROGRESSING, progressing, reason, message, generation, o.now());
    if (failed != null) {
      Conditions.set(conditions, FAILED, failed, reason, message, generation, o.now());
    }
  }

  private Optional<Duration> untilDeadline() {
    return Optional.of(Duration.between(o.now(), SnapshotSpecs.deadline(o.snapshot())));
  }

  /** An Event when the phase or the reason changes; repeats of the same state stay quiet. */
  private List<SnapshotEvent> event(boolean warning, String reason, String message) {
    boolean samePhase = next.getPhase() == current.getPhase();
    String before =
        Conditions.find(
                current.getConditions(),
                next.getPhase() == SnapshotPhase.Failed ? FAILED : PROGRESSING)
            .map(Condition::getReason)
            .orElse(null);
    String after =
        Conditions.find(
                next.getConditions(),
                next.getPhase() == SnapshotPhase.Failed ? FAILED : PROGRESSING)
            .map(Condition::getReason)
            .orElse(null);
    if (samePhase && Objects.equals(before, after)) {
      return List.of();
    }
    return List.of(new SnapshotEvent(warning, reason, message));
  }

  private Decision decision(
      Action action,
      List<VolumeSnapshotRecord> plan,
      String node,
      List<SnapshotEvent> events,
      Optional<Duration> requeue,
      Optional<String> outcome) {
    QuiescedSnapshotStatus write =
        SnapshotStateMachine.sameOperatorFields(next, current) ? null : next;
    if (!notes.isEmpty()
        && next.getPhase() != SnapshotPhase.Pending
        && current.getPhase() != next.getPhase()) {
      events = new ArrayList<>(events);
      events.addAll(notes);
    }
    return new Decision(
        write,
        action,
        plan,
        node,
        events,
        requeue.map(r -> r.isNegative() ? Duration.ZERO : r),
        outcome,
        action == Action.ASSIGN_TO_HELPER ? channel : null);
  }
}
