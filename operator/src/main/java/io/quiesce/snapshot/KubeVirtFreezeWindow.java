package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceStatus;
import io.quiesce.snapshot.KubeVirtFreezeApi.KubeVirtFreezeException;
import io.quiesce.snapshot.KubeVirtFreezeConfirmation.Listing;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freeze window of the {@code kubevirt-api} channel, run by the operator on a thread of {@link
 * KubeVirtWindows} (never a reconcile thread): freeze through KubeVirt with {@code unfreezeTimeout}
 * = the window's length, create the VolumeSnapshots, wait (by watch, bounded by the window's
 * deadline) until each has {@code status.creationTime} and until KubeVirt reports the guest frozen,
 * unfreeze, and return the record for {@code status.freeze}.
 *
 * <p>The window's length is {@code quiesce.timeout}, capped by {@code freeze.timeoutMaxSeconds}
 * (the helper's hard maximum). Its deadline counts from before the freeze request, so the operator
 * always unfreezes before KubeVirt's own {@code unfreezeTimeout}, which stays the dead-man switch:
 * virt-launcher thaws by itself if the operator dies.
 *
 * <p>A guest KubeVirt already reports frozen is not ours: it is neither frozen nor thawed ({@code
 * GuestAlreadyFrozen}).
 */
public final class KubeVirtFreezeWindow {
  private static final Logger LOG = LoggerFactory.getLogger(KubeVirtFreezeWindow.class);

  private final KubernetesClient client;
  private final KubeVirtFreezeApi api;
  private final VolumeSnapshots volumeSnapshots;
  private final Clock clock;
  private final Duration timeoutMax;

  /**
   * @param timeoutMax the longest window, whatever {@code quiesce.timeout} asks ({@code
   *     QUIESCE_FREEZE_TIMEOUT_MAX})
   */
  public KubeVirtFreezeWindow(
      KubernetesClient client,
      KubeVirtFreezeApi api,
      VolumeSnapshots volumeSnapshots,
      Clock clock,
      Duration timeoutMax) {
    this.client = client;
    this.api = api;
    this.volumeSnapshots = volumeSnapshots;
    this.clock = clock;
    this.timeoutMax = timeoutMax;
  }

  /** {@code quiesce.timeout}, capped by the chart's {@code freeze.timeoutMaxSeconds}. */
  static Duration windowLength(Duration requested, Duration timeoutMax) {
    return requested.compareTo(timeoutMax) > 0 ? timeoutMax : requested;
  }

  /** Runs the window for the planned VolumeSnapshots of {@code snapshot}. */
  public FreezeRecord run(QuiescedSnapshot snapshot, List<VolumeSnapshotRecord> plan)
      throws VolumeSnapshots.ConflictException {
    String ns = snapshot.getMetadata().getNamespace();
    String vmi = snapshot.getSpec().getSource();
    Duration timeout = windowLength(SnapshotSpecs.quiesceTimeout(snapshot), timeoutMax);
    FreezeRecord record = new FreezeRecord();
    record.setMethod(FreezeMethod.KUBEVIRT_API);
    VirtualMachineInstance before = instance(ns, vmi);
    if (reportedFrozen(before)) {
      record.setReason(Reason.GUEST_ALREADY_FROZEN.wire());
      record.setError(
          "KubeVirt already reports VirtualMachineInstance "
              + ns
              + "/"
              + vmi
              + " frozen by someone "
              + "else (status.fsFreezeStatus); it is neither frozen nor thawed by this snapshot");
      createIfBestEffort(snapshot, plan);
      return record;
    }
    Instant start = clock.instant();
    Instant deadline = start.plus(timeout);
    try {
      api.freeze(ns, vmi, timeout);
    } catch (KubeVirtFreezeException e) {
      record.setReason(Reason.FREEZE_FAILED.wire());
      record.setError(e.getMessage());
      createIfBestEffort(snapshot, plan);
      return record;
    }
    Instant frozenAt = clock.instant();
    record.setStartTime(frozenAt.toString());
    String outcome;
    KubeVirtFreezeConfirmation.Verdict verdict = null;
    try {
      Optional<VolumeGroupSnapshotRecord> group = GroupSnapshotRequests.planned(snapshot);
      if (group.isPresent()) {
        GroupSnapshotRequests.createOrReuse(
            client, snapshot, group.get()); // one cut for every disk
      } else {
        volumeSnapshots.createMissing(snapshot, plan);
      }
      Listing listing = listFilesystems(ns, vmi);
      outcome =
          group.isPresent()
              ? awaitGroupCut(ns, group.get(), deadline)
              : awaitCuts(ns, plan, deadline);
      if (outcome.equals(Reason.FROZEN.wire())) {
        // read once, not waited for: the thaw comes with the cut, whatever KubeVirt's poll says
        KubeVirtFreezeConfirmation.Evidence evidence =
            reportedFrozen(instance(ns, vmi))
                ? KubeVirtFreezeConfirmation.Evidence.REPORTED_FROZEN
                : before != null
                    ? KubeVirtFreezeConfirmation.Evidence.FREEZE_REPLY
                    : KubeVirtFreezeConfirmation.Evidence.NONE;
        verdict = KubeVirtFreezeConfirmation.judge(evidence, listing);
      }
    } finally {
      thaw(ns, vmi, record);
    }
    Instant end = clock.instant();
    record.setEndTime(end.toString());
    record.setDurationMs(Duration.between(frozenAt, end).toMillis());
    ThawTrigger thawedBy = thawedBy(outcome); // what ended the window, whatever the verdict says
    if (verdict != null && verdict.confirmed()) {
      record.setFilesystemsFrozen(verdict.filesystems());
      record.setConfirmedBy(verdict.confirmedBy());
    } else if (verdict != null) {
      outcome =
          verdict.reason(); // every disk was cut, but the freeze is not confirmed: CrashConsistent
      record.setError(record.getError() == null ? verdict.message() : record.getError());
    }
    if (record.getReason() == null) {
      record.setReason(outcome);
    }
    if (record.getThawedBy() == null) {
      record.setThawedBy(thawedBy);
    }
    return record;
  }

  private static ThawTrigger thawedBy(String outcome) {
    if (outcome.equals(Reason.FROZEN.wire())) {
      return ThawTrigger.Cut;
    }
    return outcome.equals(Reason.VOLUME_SNAPSHOT_FAILED.wire())
        ? ThawTrigger.Error
        : ThawTrigger.Watchdog;
  }

  private void createIfBestEffort(QuiescedSnapshot snapshot, List<VolumeSnapshotRecord> plan)
      throws VolumeSnapshots.ConflictException {
    if (SnapshotSpecs.mode(snapshot) == QuiesceMode.BestEffort) {
      Optional<VolumeGroupSnapshotRecord> group = GroupSnapshotRequests.planned(snapshot);
      if (group.isPresent()) {
        GroupSnapshotRequests.createOrReuse(client, snapshot, group.get());
        return;
      }
      volumeSnapshots.createMissing(snapshot, plan); // crash-consistent, as BestEffort promises
    }
  }

  /**
   * {@code filesystemlist}, else {@code guestosinfo}'s {@code fsInfo.disks} (both virt-launcher's
   * agent data).
   */
  private Listing listFilesystems(String ns, String vmi) {
    try {
      return new KubeVirtFreezeConfirmation.Listed(api.filesystemList(ns, vmi), "filesystemlist");
    } catch (KubeVirtFreezeException e) {
      try {
        return new KubeVirtFreezeConfirmation.Listed(
            api.guestOsInfo(ns, vmi).filesystems(), "guestosinfo fsInfo");
      } catch (KubeVirtFreezeException again) {
        return new KubeVirtFreezeConfirmation.Unavailable(
            e.getMessage() + "; " + again.getMessage());
      }
    }
  }

  /** Frozen when every VolumeSnapshot was cut by the deadline; else why not. */
  String awaitCuts(String ns, List<VolumeSnapshotRecord> plan, Instant deadline) {
    for (VolumeSnapshotRecord planned : plan) {
      long left = Duration.between(clock.instant(), deadline).toMillis();
      if (left <= 0) {
        return Reason.QUIESCE_TIMEOUT.wire();
      }
      try {
        VolumeSnapshot vs =
            client
                .resources(VolumeSnapshot.class)
                .inNamespace(ns)
                .withName(planned.getVolumeSnapshotName())
                .waitUntilCondition(
                    s ->
                        s != null
                            && s.getStatus() != null
                            && (s.getStatus().getCreationTime() != null
                                || s.getStatus().getError() != null),
                    left,
                    TimeUnit.MILLISECONDS);
        if (vs.getStatus().getCreationTime() == null) {
          return Reason.VOLUME_SNAPSHOT_FAILED.wire();
        }
      } catch (KubernetesClientTimeoutException e) {
        return Reason.QUIESCE_TIMEOUT.wire();
      }
    }
    return Reason.FROZEN.wire();
  }

  /**
   * Frozen when the group snapshot has its {@code creationTime} (every member cut) by the deadline.
   */
  String awaitGroupCut(String ns, VolumeGroupSnapshotRecord group, Instant deadline) {
    long left = Duration.between(clock.instant(), deadline).toMillis();
    if (left <= 0) {
      return Reason.QUIESCE_TIMEOUT.wire();
    }
    try {
      GenericKubernetesResource cut =
          client
              .genericKubernetesResources(
                  VolumeGroupSnapshotApi.groupSnapshots(
                      VolumeGroupSnapshotApi.versionOf(group.getApiVersion())))
              .inNamespace(ns)
              .withName(group.getName())
              .waitUntilCondition(
                  g ->
                      g != null
                          && (statusField(g, "creationTime") != null
                              || statusField(g, "error") != null),
                  left,
                  TimeUnit.MILLISECONDS);
      return statusField(cut, "creationTime") != null
          ? Reason.FROZEN.wire()
          : Reason.VOLUME_SNAPSHOT_FAILED.wire();
    } catch (KubernetesClientTimeoutException e) {
      return Reason.QUIESCE_TIMEOUT.wire();
    }
  }

  private static Object statusField(GenericKubernetesResource g, String field) {
    return g.getAdditionalProperties().get("status") instanceof java.util.Map<?, ?> status
        ? status.get(field)
        : null;
  }

  private VirtualMachineInstance instance(String ns, String vmi) {
    try {
      return client.resources(VirtualMachineInstance.class).inNamespace(ns).withName(vmi).get();
    } catch (KubernetesClientException e) {
      return null; // KubeVirt's freeze answers for itself
    }
  }

  static boolean reportedFrozen(VirtualMachineInstance vmi) {
    return vmi != null
        && vmi.getStatus() != null
        && VirtualMachineInstanceStatus.FS_FROZEN.equals(vmi.getStatus().getFsFreezeStatus());
  }

  private void thaw(String ns, String vmi, FreezeRecord record) {
    // a window cut short by shutdown still thaws: the request must not see the interrupt
    boolean interrupted = Thread.interrupted();
    try {
      api.unfreeze(ns, vmi);
    } catch (KubeVirtFreezeException e) {
      // virt-launcher still thaws at unfreezeTimeout; the record says the thaw was not ours
      LOG.warn(
          "unfreeze of {}/{} failed; KubeVirt thaws at its unfreezeTimeout: {}",
          ns,
          vmi,
          e.getMessage());
      record.setThawedBy(ThawTrigger.Deadline);
      record.setError(e.getMessage());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
