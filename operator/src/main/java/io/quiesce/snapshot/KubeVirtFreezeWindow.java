package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.snapshot.KubeVirtFreezeApi.KubeVirtFreezeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freeze window of the {@code kubevirt-api} channel, run by the operator: freeze through
 * KubeVirt with {@code unfreezeTimeout = quiesce.timeout}, create the VolumeSnapshots, wait (by
 * watch, bounded by the timeout) until each has {@code status.creationTime}, unfreeze, and return
 * the record for {@code status.freeze}. KubeVirt thaws by itself at the timeout if the operator dies.
 */
public final class KubeVirtFreezeWindow {
    private static final Logger LOG = LoggerFactory.getLogger(KubeVirtFreezeWindow.class);

    private final KubernetesClient client;
    private final KubeVirtFreezeApi api;
    private final VolumeSnapshots volumeSnapshots;
    private final Clock clock;

    public KubeVirtFreezeWindow(KubernetesClient client, KubeVirtFreezeApi api, VolumeSnapshots volumeSnapshots,
            Clock clock) {
        this.client = client;
        this.api = api;
        this.volumeSnapshots = volumeSnapshots;
        this.clock = clock;
    }

    /** Runs the window for the planned VolumeSnapshots of {@code snapshot}. */
    public FreezeRecord run(QuiescedSnapshot snapshot, List<VolumeSnapshotRecord> plan)
            throws VolumeSnapshots.ConflictException {
        String ns = snapshot.getMetadata().getNamespace();
        String vmi = snapshot.getSpec().getSource();
        Duration timeout = SnapshotSpecs.quiesceTimeout(snapshot);
        FreezeRecord record = new FreezeRecord();
        record.setMethod(FreezeMethod.KUBEVIRT_API);
        Instant start = clock.instant();
        try {
            api.freeze(ns, vmi, timeout);
        } catch (KubeVirtFreezeException e) {
            record.setReason("FreezeFailed");
            record.setError(e.getMessage());
            if (SnapshotSpecs.mode(snapshot) == QuiesceMode.BestEffort) {
                volumeSnapshots.createMissing(snapshot, plan); // crash-consistent, as BestEffort promises
            }
            return record;
        }
        Instant frozenAt = clock.instant();
        record.setStartTime(frozenAt.toString());
        Instant deadline = start.plus(timeout);
        String outcome;
        try {
            volumeSnapshots.createMissing(snapshot, plan);
            outcome = awaitCuts(ns, plan, deadline);
        } finally {
            thaw(ns, vmi, record);
        }
        Instant end = clock.instant();
        record.setEndTime(end.toString());
        record.setDurationMs(Duration.between(frozenAt, end).toMillis());
        if (record.getReason() == null) {
            record.setReason(outcome);
        }
        if (record.getThawedBy() == null) {
            record.setThawedBy(switch (outcome) {
                case SnapshotStateMachine.FROZEN -> ThawTrigger.Cut;
                case "VolumeSnapshotFailed" -> ThawTrigger.Error;
                default -> ThawTrigger.Deadline;
            });
        }
        return record;
    }

    /** Frozen when every VolumeSnapshot was cut by the deadline; else why not. */
    private String awaitCuts(String ns, List<VolumeSnapshotRecord> plan, Instant deadline) {
        for (VolumeSnapshotRecord planned : plan) {
            long left = Duration.between(clock.instant(), deadline).toMillis();
            if (left <= 0) {
                return "QuiesceTimeout";
            }
            try {
                VolumeSnapshot vs = client.resources(VolumeSnapshot.class).inNamespace(ns)
                        .withName(planned.getVolumeSnapshotName())
                        .waitUntilCondition(s -> s != null && s.getStatus() != null
                                && (s.getStatus().getCreationTime() != null || s.getStatus().getError() != null),
                                left, TimeUnit.MILLISECONDS);
                if (vs.getStatus().getCreationTime() == null) {
                    return "VolumeSnapshotFailed";
                }
            } catch (KubernetesClientTimeoutException e) {
                return "QuiesceTimeout";
            }
        }
        return SnapshotStateMachine.FROZEN;
    }

    private void thaw(String ns, String vmi, FreezeRecord record) {
        try {
            api.unfreeze(ns, vmi);
        } catch (KubeVirtFreezeException e) {
            // virt-launcher still thaws at unfreezeTimeout; the record says the thaw was not ours
            LOG.warn("unfreeze of {}/{} failed; KubeVirt thaws at its unfreezeTimeout: {}", ns, vmi, e.getMessage());
            record.setThawedBy(ThawTrigger.Deadline);
            record.setError(e.getMessage());
        }
    }
}
