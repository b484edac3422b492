package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quiesce.naming.VolumeSnapshotOwnership;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.Decision.Action;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles QuiescedSnapshots: observe ({@link ClusterObserver}) → decide ({@link SnapshotStateMachine},
 * pure) → act (create VolumeSnapshots, assign to the node helper, or run the KubeVirt freeze window) →
 * write the operator's status fields once, as a JSON merge patch that carries only them (so
 * {@code status.freeze}, the helper's, is never touched) and the resourceVersion of the copy the
 * decision was made from ({@link SnapshotWriter}): a decision from a stale copy is never written.
 * Waiting is a requeue, never a sleep.
 */
// not generation-aware: the node helper's status.freeze record (no generation change) must wake us
@ControllerConfiguration(name = QuiescedSnapshotReconciler.NAME, finalizerName = QuiescedSnapshotReconciler.FINALIZER,
        generationAwareEventProcessing = false)
public final class QuiescedSnapshotReconciler implements Reconciler<QuiescedSnapshot>, Cleaner<QuiescedSnapshot> {
    public static final String NAME = "quiescedsnapshot";
    /** Keeps the snapshot until its VolumeSnapshots have been deleted or released per deletionPolicy. */
    public static final String FINALIZER = "quiesce.io/snapshot-protection";
    private static final Logger LOG = LoggerFactory.getLogger(QuiescedSnapshotReconciler.class);

    private final SnapshotSettings settings;
    private final FreezeSlots slots;
    private final ClusterObserver observer;
    private final VolumeSnapshots volumeSnapshots;
    private final KubeVirtFreezeWindow kubeVirt;
    private final SnapshotEvents events;
    private final SnapshotMetrics metrics;
    private final AdmissionWakeups wakeups = new AdmissionWakeups();
    private final SnapshotWriter writer;

    public QuiescedSnapshotReconciler(KubernetesClient client, SnapshotSettings settings, KubeVirtFreezeApi kubeVirtApi,
            SnapshotEvents events, SnapshotMetrics metrics) {
        this.settings = settings;
        this.slots = new FreezeSlots(settings.maxConcurrentFreezes(), settings.maxFreezesPerNode());
        this.observer = new ClusterObserver(client, settings, slots);
        this.volumeSnapshots = new VolumeSnapshots(client);
        this.writer = new SnapshotWriter(client);
        this.kubeVirt = new KubeVirtFreezeWindow(client, kubeVirtApi, volumeSnapshots, settings.clock());
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, QuiescedSnapshot>> prepareEventSources(EventSourceContext<QuiescedSnapshot> context) {
        // VolumeSnapshots we (or the helper) created name their QuiescedSnapshot in an annotation
        // (under Retain they have no ownerReference, see VolumeSnapshotOwnership)
        var config = InformerEventSourceConfiguration.from(VolumeSnapshot.class, QuiescedSnapshot.class)
                .withLabelSelector(Provenance.MANAGED_BY + "=" + Provenance.MANAGED_BY_VALUE)
                .withSecondaryToPrimaryMapper(vs -> VolumeSnapshotOwnership.ownerName(vs.getMetadata())
                        .map(name -> Set.of(new ResourceID(name, vs.getMetadata().getNamespace())))
                        .orElse(Set.of()))
                .build();
        return List.of(new InformerEventSource<>(config, context), wakeups);
    }

    @Override
    public UpdateControl<QuiescedSnapshot> reconcile(QuiescedSnapshot snapshot, Context<QuiescedSnapshot> context) {
        String key = snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName();
        boolean wasPending = phase(snapshot.getStatus()) == SnapshotPhase.Pending;
        Observation observation = observer.observe(snapshot, context.getPrimaryCache().list().toList(),
                context.getSecondaryResources(VolumeSnapshot.class));
        Decision decision = SnapshotStateMachine.decide(observation);
        try {
            decision = actAndWrite(observation, decision);
        } catch (SnapshotWriter.StaleCopyException e) {
            // decided from an old copy: nothing more is done; the change that made it old has queued
            // a reconcile of the newer version already, the requeue is only a backstop
            if (wasPending) {
                slots.abandon(snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName());
            }
            LOG.debug("not written: {}", e.getMessage());
            return UpdateControl.<QuiescedSnapshot>noUpdate().rescheduleAfter(settings.waitRequeue());
        } catch (RuntimeException e) {
            if (wasPending) {
                settleAdmission(snapshot, decision);
            }
            throw e;
        }
        if (wasPending) {
            settleAdmission(snapshot, decision);
        }
        if (decision.status() != null) {
            logPhaseChange(snapshot.getStatus(), decision.status());
        }
        decision.events().forEach(e -> events.record(snapshot, e));
        SnapshotPhase after = decision.status() != null ? decision.status().getPhase() : phase(snapshot.getStatus());
        metrics.inProgress(key, after == SnapshotPhase.InProgress);
        decision.outcome().ifPresent(outcome -> metrics.finished(key, snapshot.getMetadata().getUid(), outcome,
                Duration.between(SnapshotSpecs.created(snapshot), settings.clock().instant())));
        QuiescedSnapshotStatus now = decision.status() != null ? decision.status() : snapshot.getStatus();
        if (after != SnapshotPhase.Pending && now != null && !FreezeSlots.holdsFreezeSlot(now)) {
            // this one holds no freeze slot (any more): whoever may start now should not wait for its requeue
            wakeups.wake(slots.startableNow(context.getPrimaryCache().list().toList()));
        }
        return requeue(decision, after);
    }

    /**
     * Does the decision's work, then writes its status based on the copy it was decided from. A
     * VolumeSnapshot that belongs to someone else fails the snapshot.
     *
     * @throws SnapshotWriter.StaleCopyException when that copy is older than the stored snapshot; the
     *         work done is idempotent (deterministic names, labels), except a freeze that ran, whose
     *         record is written over the newer version as long as that one is still Pending
     */
    private Decision actAndWrite(Observation observation, Decision decision) {
        QuiescedSnapshot basis = observation.snapshot();
        Decision done = decision;
        try {
            switch (decision.action()) {
                case CREATE_VOLUME_SNAPSHOTS -> volumeSnapshots.createMissing(basis, decision.plan());
                case ASSIGN_TO_HELPER -> basis = writer.assign(basis, decision.node(), decision.channel());
                case FREEZE_THROUGH_KUBEVIRT -> {
                    FreezeRecord freeze = kubeVirt.run(basis, decision.plan());
                    decision.status().setFreeze(freeze); // the operator ran this freeze, so it writes the record
                    writeRanFreeze(basis, decision.status());
                    return decision;
                }
                case NONE -> { }
            }
        } catch (VolumeSnapshots.ConflictException e) {
            done = SnapshotStateMachine.fail(observation, "VolumeSnapshotConflict", e.getMessage());
        }
        if (done.status() != null) {
            writer.writeStatus(basis, done.status());
        }
        return done;
    }

    /** The record of a freeze that ran is not lost to an old copy while the stored snapshot is still Pending. */
    private void writeRanFreeze(QuiescedSnapshot basis, QuiescedSnapshotStatus status) {
        try {
            writer.writeStatus(basis, status);
        } catch (SnapshotWriter.StaleCopyException e) {
            QuiescedSnapshot latest = writer.latest(basis);
            if (latest == null || phase(latest.getStatus()) != SnapshotPhase.Pending) {
                throw e;
            }
            writer.writeStatus(latest, status);
        }
    }

    /** Holds the snapshot's place in the freeze queue if it started, gives it back otherwise. */
    private void settleAdmission(QuiescedSnapshot s, Decision decision) {
        Entry me = new Entry(s.getMetadata().getNamespace(), s.getMetadata().getName(), s.getSpec().getSource(),
                decision.node(), SnapshotSpecs.created(s));
        switch (decision.action()) {
            case ASSIGN_TO_HELPER -> slots.confirm(me, decision.node());
            case FREEZE_THROUGH_KUBEVIRT, CREATE_VOLUME_SNAPSHOTS -> slots.confirm(me, null);
            case NONE -> slots.release(me.namespace(), me.name());
        }
    }

    /** One line per phase change; JOSDK's MDC names the snapshot (resource.namespace, resource.name). */
    private static void logPhaseChange(QuiescedSnapshotStatus before, QuiescedSnapshotStatus after) {
        SnapshotPhase from = phase(before);
        if (after.getPhase() != null && (before == null || after.getPhase() != from)) {
            LOG.info("phase {} -> {}{}", before == null ? "(new)" : from, after.getPhase(),
                    after.getConsistency() == null ? "" : " (" + after.getConsistency() + ", "
                            + after.getConsistencyReason() + ")");
        }
    }

    private UpdateControl<QuiescedSnapshot> requeue(Decision decision, SnapshotPhase after) {
        UpdateControl<QuiescedSnapshot> control = UpdateControl.noUpdate();
        Optional<Duration> when = decision.requeue();
        if (after == SnapshotPhase.Pending) {
            when = Optional.of(when.filter(d -> d.compareTo(settings.waitRequeue()) < 0).orElse(settings.waitRequeue()));
        }
        // a deadline exactly now: look again just after it
        return when.map(d -> control.rescheduleAfter(d.plusMillis(50))).orElse(control);
    }

    @Override
    public DeleteControl cleanup(QuiescedSnapshot snapshot, Context<QuiescedSnapshot> context) {
        String key = snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName();
        int handled = volumeSnapshots.onDeletion(snapshot);
        LOG.info("{} deleted: {} VolumeSnapshot(s) {} per deletionPolicy {}", key, handled,
                SnapshotSpecs.deletionPolicy(snapshot) == io.quiesce.api.v1alpha1.DeletionPolicy.Delete
                        ? "deleted" : "released", SnapshotSpecs.deletionPolicy(snapshot));
        slots.release(snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName());
        metrics.forget(key, snapshot.getMetadata().getUid());
        return DeleteControl.defaultDelete();
    }

    private static SnapshotPhase phase(QuiescedSnapshotStatus status) {
        return status == null || status.getPhase() == null ? SnapshotPhase.Pending : status.getPhase();
    }
}
