package io.quiesce.restore;

import io.quiesce.api.ApiValues;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreStatus;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoredMember;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.ChildNames;
import io.quiesce.restore.RestoreAction.ProtectSource;
import io.quiesce.restore.RestoreAction.ReleaseSource;
import io.quiesce.restore.RestoreDecision.RestoreEvent;
import io.quiesce.status.Conditions;
import io.quiesce.status.Reason;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A restore of a group snapshot ({@code spec.sources}): each member VM it restores is restored as a
 * restore of one VM is, by {@link RestoreStateMachine} over that member's view of the snapshot (its
 * VolumeSnapshots and VM definition from {@code status.members[]}), with its own target name
 * ({@code <newVM.name>--<vm>}), PVC names ({@link ChildNames#restoredGroupClaim}) and status
 * ({@code status.members[]}). The restore as a whole is all or nothing in what it reports: bad
 * input (a name that is no member, a member the snapshot did not cut) and a refusal of any member
 * when it starts fail it before anything is created; later, one member failing fails it and stops
 * the others. The source is protected once for the whole restore.
 */
final class GroupRestore {
  private final RestoreObserver observer;
  private final Duration poll;

  GroupRestore(RestoreObserver observer, Duration poll) {
    this.observer = observer;
    this.poll = poll;
  }

  /** Whether {@code restore} is a group's: its source is a group snapshot, or it names members. */
  static boolean applies(QuiescedSnapshotRestore restore, Optional<QuiescedSnapshot> source) {
    return source.map(GroupRestore::isGroup).orElse(false)
        || restore.getSpec().getMembers() != null
        || restore.getStatus() != null && restore.getStatus().getMembers() != null;
  }

  static boolean isGroup(QuiescedSnapshot s) {
    return s.getSpec() != null && s.getSpec().getSources() != null;
  }

  /** The name of the new VM a member is restored into. */
  static String targetVm(QuiescedSnapshotRestore restore, String vm) {
    NewVmTarget newVm = restore.getSpec().getTarget().getNewVM();
    return newVm == null ? vm : ChildNames.restoredGroupVm(newVm.getName(), vm);
  }

  RestoreDecision decide(
      QuiescedSnapshotRestore restore, Optional<QuiescedSnapshot> source, Instant now) {
    return new Step(restore, source, now).decide();
  }

  private final class Step {
    private final QuiescedSnapshotRestore restore;
    private final Optional<QuiescedSnapshot> source;
    private final Instant now;
    private final QuiescedSnapshotRestoreStatus current;
    private final QuiescedSnapshotRestoreStatus next;
    private final List<RestoreAction> actions = new ArrayList<>();
    private final List<RestoreEvent> events = new ArrayList<>();
    private boolean waits;

    Step(QuiescedSnapshotRestore restore, Optional<QuiescedSnapshot> source, Instant now) {
      this.restore = restore;
      this.source = source;
      this.now = now;
      this.current =
          restore.getStatus() == null ? new QuiescedSnapshotRestoreStatus() : restore.getStatus();
      this.next = RestoreStateMachine.copy(current);
      if (next.getPhase() == null) {
        next.setPhase(RestorePhase.Pending);
      }
      next.setObservedGeneration(restore.getMetadata().getGeneration());
    }

    RestoreDecision decide() {
      switch (next.getPhase()) {
        case Succeeded, Failed ->
            source.filter(GroupRestore::protectedByRestore).ifPresent(this::release);
        case Pending -> start();
        default -> go(false);
      }
      QuiescedSnapshotRestoreStatus write = next.equals(current) ? null : next;
      return new RestoreDecision(
          write, actions, events, waits ? Optional.of(poll) : Optional.empty());
    }

    private void start() {
      String ns = restore.getMetadata().getNamespace();
      String name = restore.getSpec().getSource();
      NewVmTarget newVm = restore.getSpec().getTarget().getNewVM();
      if (newVm != null && newVm.getNamespace() != null && !newVm.getNamespace().equals(ns)) {
        fail(
            "CrossNamespaceTarget",
            "target namespace "
                + newVm.getNamespace()
                + " is not this restore's namespace "
                + ns
                + ": a restore only creates objects in its own namespace");
        return;
      }
      if (source.isEmpty()) {
        fail(
            Reason.SOURCE_NOT_FOUND.wire(),
            "QuiescedSnapshot " + name + " does not exist in namespace " + ns);
        return;
      }
      QuiescedSnapshot s = source.get();
      if (!isGroup(s)) {
        fail(
            "NotAGroupSnapshot",
            "spec.members names VMs of a group, but QuiescedSnapshot "
                + name
                + " is of one VM ("
                + (s.getSpec() == null ? "?" : s.getSpec().getSource())
                + "): remove spec.members");
        return;
      }
      if (s.getMetadata().getDeletionTimestamp() != null) {
        fail("SourceDeleting", "QuiescedSnapshot " + name + " is being deleted");
        return;
      }
      SnapshotPhase phase = s.getStatus() == null ? null : s.getStatus().getPhase();
      if (phase == null || phase == SnapshotPhase.Pending || phase == SnapshotPhase.InProgress) {
        next.setReason("SourceNotFinished");
        next.setMessage("QuiescedSnapshot " + name + " has not finished yet");
        condition(
            RestoreStateMachine.READY, Conditions.FALSE, "SourceNotFinished", next.getMessage());
        waits = true;
        return;
      }
      if (phase == SnapshotPhase.Failed
          && !Boolean.TRUE.equals(restore.getSpec().getAllowFailed())) {
        fail(
            "SourceFailed",
            "QuiescedSnapshot "
                + name
                + " Failed ("
                + s.getStatus().getMessage()
                + "); set spec.allowFailed: true to restore from whatever VolumeSnapshots of it "
                + "are ready");
        return;
      }
      Map<String, GroupMember> members = new LinkedHashMap<>();
      if (s.getStatus().getMembers() != null) {
        s.getStatus().getMembers().forEach(m -> members.put(m.getVm(), m));
      }
      List<String> chosen;
      if (restore.getSpec().getMembers() != null) {
        chosen = restore.getSpec().getMembers();
        List<String> unknown = chosen.stream().filter(v -> !members.containsKey(v)).toList();
        if (!unknown.isEmpty()) {
          fail(
              "MemberNotInSnapshot",
              "VM(s) "
                  + unknown
                  + " are not members of QuiescedSnapshot "
                  + name
                  + "; its members are "
                  + members.keySet());
          return;
        }
        List<String> notCut = chosen.stream().filter(v -> !cut(members.get(v))).toList();
        if (!notCut.isEmpty()) {
          fail(
              "MemberNotCut",
              "QuiescedSnapshot "
                  + name
                  + " did not freeze or cut "
                  + String.join(", ", notCut.stream().map(v -> why(members.get(v))).toList())
                  + ": it has no disks of them to restore; leave them out of spec.members");
          return;
        }
      } else {
        chosen =
            members.values().stream().filter(GroupRestore::cut).map(GroupMember::getVm).toList();
        if (chosen.isEmpty()) {
          fail(
              "NoVolumeSnapshots",
              "QuiescedSnapshot " + name + " cut no VM of its group: nothing to restore");
          return;
        }
      }
      List<RestoredMember> planned = new ArrayList<>();
      for (String vm : chosen) {
        RestoredMember m = new RestoredMember();
        m.setVm(vm);
        m.setPhase(RestorePhase.Pending);
        planned.add(m);
      }
      next.setMembers(planned);
      next.setStartTime(timestamp(now));
      go(true);
    }

    /** Decides every member from its view; applies the all-or-nothing rule to what they decided. */
    private void go(boolean starting) {
      if (source.isEmpty()) {
        fail(
            "SourceGone",
            "QuiescedSnapshot "
                + restore.getSpec().getSource()
                + " was deleted during the restore");
        return;
      }
      QuiescedSnapshot s = source.get();
      Map<String, GroupMember> snapshotMembers = new LinkedHashMap<>();
      if (s.getStatus() != null && s.getStatus().getMembers() != null) {
        s.getStatus().getMembers().forEach(m -> snapshotMembers.put(m.getVm(), m));
      }
      List<RestoredMember> members = new ArrayList<>();
      List<RestoreAction> work = new ArrayList<>();
      List<RestoreEvent> notes = new ArrayList<>();
      RestoredMember failed = null;
      for (RestoredMember m : next.getMembers()) {
        if (m.getPhase() == RestorePhase.Succeeded) {
          members.add(m);
          continue;
        }
        GroupMember member = snapshotMembers.get(m.getVm());
        RestoreDecision d =
            RestoreStateMachine.decide(
                observer.observe(
                    memberRestore(restore, m),
                    Optional.ofNullable(member).map(g -> memberSnapshot(s, g)),
                    memberClaims(restore, m.getVm())),
                poll);
        RestoredMember decided = d.status() == null ? m : toMember(m.getVm(), d.status());
        members.add(decided);
        d.actions().stream()
            .filter(a -> !(a instanceof ProtectSource) && !(a instanceof ReleaseSource))
            .forEach(work::add);
        d.events().stream()
            .filter(e -> !e.warning())
            .map(
                e ->
                    new RestoreEvent(
                        false, e.reason(), "VirtualMachine " + m.getVm() + ": " + e.message()))
            .forEach(notes::add);
        if (decided.getPhase() == RestorePhase.Failed && failed == null) {
          failed = decided;
        }
      }
      if (failed != null) {
        // all or nothing: no member acts on a failed restore; the others are stopped where they are
        String failedVm = failed.getVm();
        List<RestoredMember> stopped = new ArrayList<>();
        for (RestoredMember m : members) {
          if (m.getVm().equals(failedVm)) {
            stopped.add(m);
          } else if (m.getPhase() != RestorePhase.Succeeded
              && m.getPhase() != RestorePhase.Failed) {
            RestoredMember r = starting ? pending(m.getVm()) : ApiValues.copy(m);
            r.setPhase(RestorePhase.Failed);
            r.setReason("GroupRestoreFailed");
            r.setMessage(
                (starting ? "not started: " : "stopped: ")
                    + "the restore of VirtualMachine "
                    + failedVm
                    + " failed ("
                    + failed.getReason()
                    + ")");
            stopped.add(r);
          } else {
            stopped.add(m);
          }
        }
        next.setMembers(stopped);
        fail(
            failed.getReason(),
            "VirtualMachine "
                + failedVm
                + ": "
                + failed.getMessage()
                + (starting ? "; nothing was restored" : "; the other members were stopped"));
        return;
      }
      next.setMembers(members);
      if (starting) {
        actions.add(new ProtectSource(s.getMetadata().getName()));
      }
      actions.addAll(work);
      events.addAll(notes);
      long done = members.stream().filter(m -> m.getPhase() == RestorePhase.Succeeded).count();
      if (done == members.size()) {
        String message =
            "restored "
                + members.size()
                + " VM(s) of "
                + restore.getSpec().getSource()
                + ": "
                + String.join(
                    ", ", members.stream().map(m -> m.getVm() + " -> " + m.getTargetVM()).toList());
        condition(RestoreStateMachine.READY, Conditions.TRUE, "Restored", message);
        next.setPhase(RestorePhase.Succeeded);
        next.setReason("Restored");
        next.setMessage(message);
        next.setCompletionTime(timestamp(now));
        actions.add(new ReleaseSource(s.getMetadata().getName()));
        events.add(new RestoreEvent(false, "Restored", message));
        return;
      }
      // the least advanced member says where the restore is
      RestoredMember behind =
          members.stream()
              .filter(m -> m.getPhase() != RestorePhase.Succeeded)
              .min((a, b) -> Integer.compare(rank(a.getPhase()), rank(b.getPhase())))
              .orElseThrow();
      next.setPhase(behind.getPhase());
      next.setReason(behind.getReason());
      next.setMessage(
          done
              + " of "
              + members.size()
              + " VM(s) restored; VirtualMachine "
              + behind.getVm()
              + ": "
              + behind.getMessage());
      condition(RestoreStateMachine.READY, Conditions.FALSE, behind.getReason(), next.getMessage());
      waits = true;
    }

    private void fail(String reason, String message) {
      next.setPhase(RestorePhase.Failed);
      next.setReason(reason);
      next.setMessage(message);
      next.setCompletionTime(timestamp(now));
      condition(RestoreStateMachine.READY, Conditions.FALSE, reason, message);
      source.filter(GroupRestore::protectedByRestore).ifPresent(this::release);
      events.add(new RestoreEvent(true, reason, message));
    }

    private void release(QuiescedSnapshot s) {
      actions.add(new ReleaseSource(s.getMetadata().getName()));
    }

    private void condition(String type, String status, String reason, String message) {
      Conditions.set(
          next.getConditions(),
          type,
          status,
          reason == null ? "Restoring" : reason,
          message,
          next.getObservedGeneration(),
          now);
    }
  }

  /** A member the snapshot cut: it has VolumeSnapshots (frozen, or cut under Skip). */
  static boolean cut(GroupMember m) {
    return m.getVolumeSnapshots() != null && !m.getVolumeSnapshots().isEmpty();
  }

  private static String why(GroupMember m) {
    String reason = m.getFreeze() == null ? null : m.getFreeze().getReason();
    return m.getVm() + (reason == null ? "" : " (" + reason + ")");
  }

  private static int rank(RestorePhase p) {
    return switch (p) {
      case Pending -> 0;
      case WaitingForVMStop -> 1;
      case RestoringVolumes -> 2;
      case Succeeded, Failed -> 3;
    };
  }

  private static RestoredMember pending(String vm) {
    RestoredMember m = new RestoredMember();
    m.setVm(vm);
    return m;
  }

  /**
   * The restore as one member's restore: its target (the member in place, or its own new VM), its
   * own status, and a uid of its own, so its new MAC addresses and firmware UUID differ from the
   * other members'.
   */
  static QuiescedSnapshotRestore memberRestore(QuiescedSnapshotRestore restore, RestoredMember m) {
    QuiescedSnapshotRestore view = ApiValues.copy(restore);
    if (restore.getMetadata().getUid() != null) {
      view.getMetadata().setUid(restore.getMetadata().getUid() + "/" + m.getVm());
    }
    NewVmTarget newVm = view.getSpec().getTarget().getNewVM();
    if (newVm != null) {
      newVm.setName(targetVm(restore, m.getVm()));
    }
    view.setStatus(toStatus(m));
    return view;
  }

  /** The group snapshot as a snapshot of one VM: that member's disks and definition. */
  static QuiescedSnapshot memberSnapshot(QuiescedSnapshot group, GroupMember m) {
    QuiescedSnapshot view = ApiValues.copy(group);
    view.getSpec().setSources(null);
    view.getSpec().setSource(m.getVm());
    view.getStatus().setMembers(null);
    view.getStatus().setVolumeSnapshots(m.getVolumeSnapshots());
    view.getStatus().setVmDefinition(m.getVmDefinition());
    return view;
  }

  static UnaryOperator<String> memberClaims(QuiescedSnapshotRestore restore, String vm) {
    String name = restore.getMetadata().getName();
    return volume -> ChildNames.restoredGroupClaim(name, vm, volume);
  }

  private static QuiescedSnapshotRestoreStatus toStatus(RestoredMember m) {
    if (m.getPhase() == null) {
      return null;
    }
    QuiescedSnapshotRestoreStatus s = new QuiescedSnapshotRestoreStatus();
    s.setPhase(m.getPhase());
    s.setReason(m.getReason());
    s.setMessage(m.getMessage());
    s.setTargetVM(m.getTargetVM());
    s.setVmWasRunning(m.getVmWasRunning());
    s.setPreviousRunStrategy(m.getPreviousRunStrategy());
    s.setStartTime(m.getStartTime());
    s.setVolumes(m.getVolumes() == null ? null : ApiValues.copy(m).getVolumes());
    return s;
  }

  private static RestoredMember toMember(String vm, QuiescedSnapshotRestoreStatus s) {
    RestoredMember m = new RestoredMember();
    m.setVm(vm);
    m.setPhase(s.getPhase());
    m.setReason(s.getReason());
    m.setMessage(s.getMessage());
    m.setTargetVM(s.getTargetVM());
    m.setVmWasRunning(s.getVmWasRunning());
    m.setPreviousRunStrategy(s.getPreviousRunStrategy());
    m.setStartTime(s.getStartTime());
    m.setVolumes(s.getVolumes());
    return m;
  }

  private static boolean protectedByRestore(QuiescedSnapshot s) {
    return s.getMetadata().getFinalizers() != null
        && s.getMetadata().getFinalizers().contains(QuiescedSnapshotRestore.SOURCE_FINALIZER);
  }

  private static String timestamp(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
