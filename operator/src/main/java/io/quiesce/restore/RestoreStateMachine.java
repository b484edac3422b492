package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.quiesce.api.ApiValues;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.InPlaceTarget;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreStatus;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoredVolume;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VmDefinition;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.naming.ChildNames;
import io.quiesce.restore.RestoreAction.CreateClaims;
import io.quiesce.restore.RestoreAction.CreateVm;
import io.quiesce.restore.RestoreAction.DeleteClaims;
import io.quiesce.restore.RestoreAction.ProtectSource;
import io.quiesce.restore.RestoreAction.ReleaseSource;
import io.quiesce.restore.RestoreAction.StopVm;
import io.quiesce.restore.RestoreAction.UpdateVm;
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

/**
 * Decides what a restore does next from one {@link RestoreObservation}; pure (no I/O, no clock).
 *
 * <pre>
 * Pending ──(in place, VM runs, stopVM)──▶ WaitingForVMStop ──(instance gone)──▶ RestoringVolumes
 *    └──────────────(otherwise)───────────────────────────────────────────────▶ RestoringVolumes
 * RestoringVolumes ──(every PVC bound)──▶ create the new VM | re-point (and restart) the VM ──▶ Succeeded
 * any refusal or loss ──▶ Failed (reason, message, Event)
 * </pre>
 *
 * Every step is idempotent over deterministic names, so a restore resumed after an operator restart
 * repeats at most work that finds itself done.
 */
public final class RestoreStateMachine {
  public static final String READY = "Ready";
  public static final String VM_STOPPED = "VMStopped";
  public static final String VOLUMES_READY = "VolumesReady";
  public static final String VM_UPDATED = "VMUpdated";

  /**
   * How soon a restore that waits (for a VM to stop, PVCs to bind, the snapshot to finish) looks
   * again.
   */
  public static final Duration POLL = Duration.ofSeconds(2);

  private RestoreStateMachine() {}

  public static RestoreDecision decide(RestoreObservation o) {
    return decide(o, POLL);
  }

  public static RestoreDecision decide(RestoreObservation o, Duration poll) {
    return new Step(o, poll).decide();
  }

  private static final class Step {
    private final RestoreObservation o;
    private final Duration poll;
    private final QuiescedSnapshotRestore restore;
    private final QuiescedSnapshotRestoreSpec spec;
    private final QuiescedSnapshotRestoreStatus current;
    private final QuiescedSnapshotRestoreStatus next;
    private final List<RestoreAction> actions = new ArrayList<>();
    private final List<RestoreEvent> events = new ArrayList<>();
    private boolean waits;

    Step(RestoreObservation o, Duration poll) {
      this.o = o;
      this.poll = poll;
      this.restore = o.restore();
      this.spec = restore.getSpec();
      this.current =
          restore.getStatus() == null ? new QuiescedSnapshotRestoreStatus() : restore.getStatus();
      this.next = copy(current);
      if (next.getPhase() == null) {
        next.setPhase(RestorePhase.Pending);
      }
      next.setObservedGeneration(restore.getMetadata().getGeneration());
    }

    RestoreDecision decide() {
      switch (next.getPhase()) {
        case Succeeded, Failed ->
            o.source()
                .filter(Step::protectedByRestore)
                .ifPresent(s -> actions.add(new ReleaseSource(s.getMetadata().getName())));
        case Pending -> start();
        case WaitingForVMStop -> waitForStop();
        case RestoringVolumes -> restoreVolumes();
      }
      QuiescedSnapshotRestoreStatus write = next.equals(current) ? null : next;
      return new RestoreDecision(
          write, actions, events, waits ? Optional.of(poll) : Optional.empty());
    }

    private void start() {
      NewVmTarget newVm = spec.getTarget().getNewVM();
      String ns = restore.getMetadata().getNamespace();
      if (newVm != null && newVm.getNamespace() != null && !newVm.getNamespace().equals(ns)) {
        fail(
            "CrossNamespaceTarget",
            "target namespace "
                + newVm.getNamespace()
                + " is not this restore's "
                + "namespace "
                + ns
                + ": a restore only creates objects in its own namespace");
        return;
      }
      if (o.source().isEmpty()) {
        fail(
            Reason.SOURCE_NOT_FOUND.wire(),
            "QuiescedSnapshot " + spec.getSource() + " does not exist in namespace " + ns);
        return;
      }
      QuiescedSnapshot source = o.source().get();
      if (source.getMetadata().getDeletionTimestamp() != null) {
        fail("SourceDeleting", "QuiescedSnapshot " + spec.getSource() + " is being deleted");
        return;
      }
      if (!sourceUsable(source)) {
        return;
      }
      List<VolumeSnapshotRecord> records = source.getStatus().getVolumeSnapshots();
      Optional<VirtualMachine> vm = o.targetVm();
      String vmName;
      Map<String, String> current;
      if (newVm != null) {
        vmName = newVm.getName();
        VmDefinition definition = source.getStatus().getVmDefinition();
        if (definition == null || definition.getSpec() == null) {
          fail(
              "NoVMDefinition",
              "QuiescedSnapshot "
                  + spec.getSource()
                  + " holds no VM definition to build "
                  + "a new VM from"
                  + (definition != null && definition.getOmittedReason() != null
                      ? ": " + definition.getOmittedReason()
                      : " (taken before definitions were kept)"));
          return;
        }
        if (vm.isPresent() && !ours(vm.get())) {
          fail(
              "TargetVMExists",
              "VirtualMachine "
                  + vmName
                  + " exists already and was not created by this "
                  + "restore");
          return;
        }
        current = RestoredVm.claimVolumes(definition.getSpec());
        List<String> uncovered =
            current.keySet().stream()
                .filter(v -> records.stream().noneMatch(r -> v.equals(r.getVolume())))
                .toList();
        if (!uncovered.isEmpty()) {
          fail(
              "VolumeNotInSnapshot",
              "volume(s) "
                  + uncovered
                  + " of the VM are backed by PVCs the snapshot "
                  + "has no VolumeSnapshot of; a new VM would share those PVCs with the original");
          return;
        }
      } else {
        vmName = source.getSpec().getSource();
        if (vm.isEmpty()) {
          fail(
              "TargetVMNotFound",
              "VirtualMachine " + vmName + " does not exist; restore it into a new VM");
          return;
        }
        current = RestoredVm.claimVolumes(RestoredVm.specOf(vm.get()));
        List<String> missing =
            records.stream()
                .map(VolumeSnapshotRecord::getVolume)
                .filter(v -> !current.containsKey(v))
                .toList();
        if (!missing.isEmpty()) {
          fail(
              "VolumeNotInVM",
              "volume(s) "
                  + missing
                  + " of the snapshot are no longer PVC-backed volumes "
                  + "of VirtualMachine "
                  + vmName);
          return;
        }
        if (o.instanceExists() && !Boolean.TRUE.equals(spec.getTarget().getInPlace().getStopVM())) {
          fail(
              "VMRunning",
              "VirtualMachine "
                  + vmName
                  + " runs: set spec.target.inPlace.stopVM: true to let "
                  + "the restore stop it and start it again afterwards, or stop it first");
          return;
        }
      }
      List<RestoredVolume> plan = new ArrayList<>();
      for (VolumeSnapshotRecord r : records) {
        RestoredVolume v =
            new RestoredVolume(
                r.getVolume(), r.getVolumeSnapshotName(), o.claimName(r.getVolume()));
        if (newVm == null) {
          v.setPreviousClaim(current.get(r.getVolume()));
        }
        v.setReady(false);
        plan.add(v);
      }
      next.setTargetVM(vmName);
      next.setVolumes(plan);
      next.setStartTime(timestamp(o.now()));
      actions.add(new ProtectSource(source.getMetadata().getName()));
      if (newVm == null) {
        next.setVmWasRunning(o.instanceExists());
        if (o.instanceExists()) {
          next.setPreviousRunStrategy(runStrategy(vm.get()));
          next.setPhase(RestorePhase.WaitingForVMStop);
          note("StoppingVM", "stopping VirtualMachine " + vmName + " to restore it in place");
          waitForStop();
          return;
        }
      }
      note(
          "RestoreStarted",
          "restoring "
              + plan.size()
              + " volume(s) of "
              + spec.getSource()
              + " into "
              + (newVm == null
                  ? "VirtualMachine " + vmName + " in place"
                  : "new VirtualMachine " + vmName));
      next.setPhase(RestorePhase.RestoringVolumes);
      restoreVolumes();
    }

    /** Whether the source may be restored from now; otherwise it fails or waits, and says so. */
    private boolean sourceUsable(QuiescedSnapshot source) {
      SnapshotPhase phase = source.getStatus() == null ? null : source.getStatus().getPhase();
      if (phase == null || phase == SnapshotPhase.Pending || phase == SnapshotPhase.InProgress) {
        next.setReason("SourceNotFinished");
        next.setMessage("QuiescedSnapshot " + spec.getSource() + " has not finished yet");
        condition(READY, Conditions.FALSE, "SourceNotFinished", next.getMessage());
        waits = true;
        return false;
      }
      if (phase == SnapshotPhase.Failed && !Boolean.TRUE.equals(spec.getAllowFailed())) {
        fail(
            "SourceFailed",
            "QuiescedSnapshot "
                + spec.getSource()
                + " Failed; set spec.allowFailed: true to "
                + "restore from whatever VolumeSnapshots of it are ready");
        return false;
      }
      Consistency consistency = source.getStatus().getConsistency();
      if (consistency != Consistency.FilesystemConsistent
          && !Boolean.TRUE.equals(spec.getAllowCrashConsistent())) {
        fail(
            "SourceNotConsistent",
            "QuiescedSnapshot "
                + spec.getSource()
                + " is "
                + (consistency == null ? "of unknown consistency" : consistency)
                + ", not FilesystemConsistent; "
                + "set spec.allowCrashConsistent: true to restore from it anyway");
        return false;
      }
      List<VolumeSnapshotRecord> records = source.getStatus().getVolumeSnapshots();
      if (records == null || records.isEmpty()) {
        fail(
            "NoVolumeSnapshots",
            "QuiescedSnapshot " + spec.getSource() + " has no VolumeSnapshots");
        return false;
      }
      List<String> notReady =
          records.stream()
              .filter(
                  r -> r.getVolumeSnapshotName() == null || !Boolean.TRUE.equals(r.getReadyToUse()))
              .map(VolumeSnapshotRecord::getVolume)
              .toList();
      if (!notReady.isEmpty()) {
        fail(
            "VolumeSnapshotNotReady",
            "the VolumeSnapshot(s) of volume(s) " + notReady + " are not ready to use");
        return false;
      }
      return true;
    }

    private void waitForStop() {
      Optional<VirtualMachine> vm = o.targetVm();
      if (vm.isEmpty()) {
        fail(
            "TargetVMGone",
            "VirtualMachine " + next.getTargetVM() + " was deleted during the restore");
        return;
      }
      if (o.instanceExists()) {
        actions.add(new StopVm(next.getTargetVM()));
        next.setReason("WaitingForVMStop");
        next.setMessage("waiting for VirtualMachine " + next.getTargetVM() + " to stop");
        condition(VM_STOPPED, Conditions.FALSE, "Stopping", next.getMessage());
        condition(READY, Conditions.FALSE, "WaitingForVMStop", next.getMessage());
        waits = true;
        return;
      }
      condition(
          VM_STOPPED,
          Conditions.TRUE,
          "Stopped",
          "VirtualMachine " + next.getTargetVM() + " is stopped");
      note("VMStopped", "VirtualMachine " + next.getTargetVM() + " stopped");
      next.setPhase(RestorePhase.RestoringVolumes);
      restoreVolumes();
    }

    private void restoreVolumes() {
      if (o.source().isEmpty()) {
        fail(
            "SourceGone",
            "QuiescedSnapshot " + spec.getSource() + " was deleted during the restore");
        return;
      }
      QuiescedSnapshot source = o.source().get();
      Map<String, VolumeSnapshotRecord> records = new LinkedHashMap<>();
      source.getStatus().getVolumeSnapshots().forEach(r -> records.put(r.getVolume(), r));
      List<PersistentVolumeClaim> missing = new ArrayList<>();
      int ready = 0;
      for (RestoredVolume v : next.getVolumes()) {
        PersistentVolumeClaim existing = o.claims().get(v.getPersistentVolumeClaim());
        if (existing == null) {
          VolumeSnapshotRecord record = records.get(v.getVolume());
          Optional<PersistentVolumeClaim> claim =
              record == null
                  ? Optional.empty()
                  : RestoredClaims.claim(
                      restore,
                      v.getPersistentVolumeClaim(),
                      record,
                      o.claims().get(record.getPersistentVolumeClaim()));
          if (claim.isEmpty()) {
            fail(
                "NoRestoreSize",
                "the size of volume "
                    + v.getVolume()
                    + " is unknown: its PVC is gone and "
                    + "its VolumeSnapshot has no restoreSize");
            return;
          }
          missing.add(claim.get());
          v.setReady(false);
          continue;
        }
        if (!RestoredClaims.ours(existing, restore)) {
          fail(
              "ClaimConflict",
              "PVC "
                  + v.getPersistentVolumeClaim()
                  + " exists and was not created by this "
                  + "restore");
          return;
        }
        boolean bound =
            existing.getStatus() != null && "Bound".equals(existing.getStatus().getPhase());
        String sc = existing.getSpec() == null ? null : existing.getSpec().getStorageClassName();
        v.setReady(bound || sc != null && o.waitForFirstConsumer().contains(sc));
        ready += v.getReady() ? 1 : 0;
      }
      if (!missing.isEmpty()) {
        actions.add(new CreateClaims(missing));
      }
      int total = next.getVolumes().size();
      if (ready < total) {
        next.setReason("VolumesRestoring");
        next.setMessage(ready + " of " + total + " restored PVC(s) bound");
        condition(VOLUMES_READY, Conditions.FALSE, "VolumesRestoring", next.getMessage());
        condition(READY, Conditions.FALSE, "VolumesRestoring", next.getMessage());
        waits = true;
        return;
      }
      condition(VOLUMES_READY, Conditions.TRUE, "VolumesBound", total + " restored PVC(s) bound");
      Map<String, String> volumeToClaim = new LinkedHashMap<>();
      next.getVolumes()
          .forEach(v -> volumeToClaim.put(v.getVolume(), v.getPersistentVolumeClaim()));
      if (spec.getTarget().getNewVM() != null) {
        createVm(source, volumeToClaim);
      } else {
        updateVm(volumeToClaim);
      }
    }

    private void createVm(QuiescedSnapshot source, Map<String, String> volumeToClaim) {
      Optional<VirtualMachine> vm = o.targetVm();
      if (vm.isPresent() && !ours(vm.get())) {
        fail(
            "TargetVMExists",
            "VirtualMachine "
                + next.getTargetVM()
                + " exists already and was not created "
                + "by this restore");
        return;
      }
      if (vm.isEmpty()) {
        actions.add(
            new CreateVm(
                RestoredVm.newVm(
                    restore, source, source.getStatus().getVmDefinition(), volumeToClaim)));
      }
      succeed(
          VM_UPDATED,
          "VMCreated",
          "VirtualMachine " + next.getTargetVM() + " created from " + spec.getSource());
    }

    private void updateVm(Map<String, String> volumeToClaim) {
      Optional<VirtualMachine> vm = o.targetVm();
      if (vm.isEmpty()) {
        fail(
            "TargetVMGone",
            "VirtualMachine " + next.getTargetVM() + " was deleted during the restore");
        return;
      }
      boolean restart = Boolean.TRUE.equals(next.getVmWasRunning());
      if (!RestoredVm.pointsAt(vm.get(), volumeToClaim)) {
        if (o.instanceExists()) {
          fail(
              "VMStartedDuringRestore",
              "VirtualMachine "
                  + next.getTargetVM()
                  + " was started while its "
                  + "volumes were restored; its volumes were not changed");
          return;
        }
        String strategy = restart ? startStrategy(next.getPreviousRunStrategy()) : null;
        actions.add(
            new UpdateVm(
                next.getTargetVM(),
                vm.get().getMetadata().getResourceVersion(),
                RestoredVm.inPlacePatch(vm.get(), volumeToClaim, strategy)));
      }
      InPlaceTarget inPlace = spec.getTarget().getInPlace();
      if (inPlace.getPreviousVolumes() == InPlaceTarget.PreviousVolumesPolicy.Delete) {
        List<String> doomed = new ArrayList<>();
        for (RestoredVolume v : next.getVolumes()) {
          String previous = v.getPreviousClaim();
          if (previous == null
              || previous.equals(v.getPersistentVolumeClaim())
              || ownedByDataVolume(previous)) {
            continue; // a DataVolume would recreate its PVC: it is kept
          }
          if (o.claims().containsKey(previous)) {
            doomed.add(previous);
          }
          v.setPreviousClaimDeleted(true);
        }
        if (!doomed.isEmpty()) {
          actions.add(new DeleteClaims(doomed));
        }
      }
      String restarted =
          !restart
              ? ""
              : "Manual".equals(next.getPreviousRunStrategy())
                  ? "; its runStrategy is Manual again, start it " + "with virtctl start"
                  : " and was started again";
      succeed(
          VM_UPDATED,
          "VolumesRepointed",
          "VirtualMachine " + next.getTargetVM() + " points at the restored " + "PVCs" + restarted);
    }

    private void succeed(String type, String reason, String message) {
      condition(type, Conditions.TRUE, reason, message);
      condition(READY, Conditions.TRUE, "Restored", message);
      next.setPhase(RestorePhase.Succeeded);
      next.setReason("Restored");
      next.setMessage(message);
      next.setCompletionTime(timestamp(o.now()));
      actions.add(new ReleaseSource(spec.getSource()));
      note("Restored", message);
    }

    private void fail(String reason, String message) {
      next.setPhase(RestorePhase.Failed);
      next.setReason(reason);
      next.setMessage(message);
      next.setCompletionTime(timestamp(o.now()));
      condition(READY, Conditions.FALSE, reason, message);
      if (o.source().filter(Step::protectedByRestore).isPresent()) {
        actions.add(new ReleaseSource(spec.getSource()));
      }
      events.add(new RestoreEvent(true, reason, message));
    }

    private void note(String reason, String message) {
      events.add(new RestoreEvent(false, reason, message));
    }

    private void condition(String type, String status, String reason, String message) {
      Conditions.set(
          next.getConditions(),
          type,
          status,
          reason,
          message,
          next.getObservedGeneration(),
          o.now());
    }

    private boolean ours(VirtualMachine vm) {
      var labels = vm.getMetadata().getLabels();
      return labels != null
          && ChildNames.labelValue(restore.getMetadata().getName())
              .equals(labels.get(QuiescedSnapshotRestore.RESTORE_LABEL));
    }

    private static boolean protectedByRestore(QuiescedSnapshot s) {
      return s.getMetadata().getFinalizers() != null
          && s.getMetadata().getFinalizers().contains(QuiescedSnapshotRestore.SOURCE_FINALIZER);
    }

    /** A PVC CDI made for a DataVolume: deleting it would make the DataVolume recreate it. */
    private boolean ownedByDataVolume(String claim) {
      PersistentVolumeClaim pvc = o.claims().get(claim);
      return pvc != null
          && pvc.getMetadata().getOwnerReferences() != null
          && pvc.getMetadata().getOwnerReferences().stream()
              .anyMatch(r -> "DataVolume".equals(r.getKind()));
    }
  }

  /**
   * The VM's run strategy as KubeVirt reads it: {@code running: true} is Always, false is Halted.
   */
  static String runStrategy(VirtualMachine vm) {
    if (vm.getSpec() == null) {
      return null;
    }
    if (vm.getSpec().getRunStrategy() != null) {
      return vm.getSpec().getRunStrategy();
    }
    return Boolean.TRUE.equals(vm.getSpec().getRunning()) ? "Always" : "Halted";
  }

  /** The strategy that starts the VM again: its own, unless that one would keep it stopped. */
  static String startStrategy(String previous) {
    return previous == null || "Halted".equals(previous) ? "Always" : previous;
  }

  /** A deep copy (the status being decided never shares an object with the one observed). */
  static QuiescedSnapshotRestoreStatus copy(QuiescedSnapshotRestoreStatus s) {
    return ApiValues.copy(s);
  }

  private static String timestamp(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
