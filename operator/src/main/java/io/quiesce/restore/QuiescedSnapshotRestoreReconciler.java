package io.quiesce.restore;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.events.EventRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles QuiescedSnapshotRestores: observe ({@link RestoreObserver}) → decide ({@link
 * RestoreStateMachine}, pure) → act ({@link RestoreActions}, idempotent) → write the status once,
 * as a JSON merge patch based on the copy the decision was made from (a decision from a stale copy
 * is never written; the next reconcile decides again). Waiting is a requeue, never a sleep.
 */
// not generation-aware: its own status writes move it on (the phase is the state)
@ControllerConfiguration(
    name = QuiescedSnapshotRestoreReconciler.NAME,
    finalizerName = QuiescedSnapshotRestoreReconciler.FINALIZER,
    generationAwareEventProcessing = false)
public final class QuiescedSnapshotRestoreReconciler
    implements Reconciler<QuiescedSnapshotRestore>, Cleaner<QuiescedSnapshotRestore> {
  public static final String NAME = "quiescedsnapshotrestore";

  /** Lets a deleted restore release its source snapshot first. */
  public static final String FINALIZER = "quiesce.io/restore-cleanup";

  private static final Logger LOG =
      LoggerFactory.getLogger(QuiescedSnapshotRestoreReconciler.class);

  private final KubernetesClient client;
  private final RestoreObserver observer;
  private final RestoreActions actions;
  private final EventRecorder events;
  private final Duration poll;
  private final GroupRestore groups;
  private final Clock clock;

  public QuiescedSnapshotRestoreReconciler(
      KubernetesClient client, EventRecorder events, Clock clock, Duration poll) {
    this.client = client;
    this.observer = new RestoreObserver(client, clock);
    this.actions = new RestoreActions(client);
    this.events = events;
    this.poll = poll;
    this.groups = new GroupRestore(observer, poll);
    this.clock = clock;
  }

  @Override
  public UpdateControl<QuiescedSnapshotRestore> reconcile(
      QuiescedSnapshotRestore restore, Context<QuiescedSnapshotRestore> context) {
    Optional<QuiescedSnapshot> source = observer.source(restore);
    RestoreDecision decision =
        GroupRestore.applies(restore, source)
            ? groups.decide(restore, source, clock.instant())
            : RestoreStateMachine.decide(
                observer.observe(restore, source, RestoreObservation.oneVmClaims(restore)), poll);
    try {
      decision.actions().forEach(a -> actions.apply(restore, a));
      if (decision.status() != null) {
        writeStatus(restore, decision);
      }
    } catch (RestoreActions.ConflictException e) {
      LOG.debug("not written: {}", e.getMessage());
      return UpdateControl.<QuiescedSnapshotRestore>noUpdate().rescheduleAfter(poll);
    }
    decision.events().forEach(e -> events.record(restore, e.warning(), e.reason(), e.message()));
    return decision
        .requeue()
        .map(d -> UpdateControl.<QuiescedSnapshotRestore>noUpdate().rescheduleAfter(d))
        .orElse(UpdateControl.noUpdate());
  }

  private void writeStatus(QuiescedSnapshotRestore basis, RestoreDecision decision) {
    RestorePhase before = basis.getStatus() == null ? null : basis.getStatus().getPhase();
    Map<String, Object> patch =
        Map.of(
            "status",
            decision.status(),
            "metadata",
            Map.of("resourceVersion", basis.getMetadata().getResourceVersion()));
    try {
      client
          .resources(QuiescedSnapshotRestore.class)
          .inNamespace(basis.getMetadata().getNamespace())
          .withName(basis.getMetadata().getName())
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new RestoreActions.ConflictException(
            "restore "
                + basis.getMetadata().getName()
                + " changed since "
                + basis.getMetadata().getResourceVersion(),
            e);
      }
      throw e;
    }
    if (decision.status().getPhase() != before) {
      LOG.info(
          "restore {}/{}: phase {} -> {} ({})",
          basis.getMetadata().getNamespace(),
          basis.getMetadata().getName(),
          before == null ? "(new)" : before,
          decision.status().getPhase(),
          decision.status().getMessage());
    }
  }

  @Override
  public DeleteControl cleanup(
      QuiescedSnapshotRestore restore, Context<QuiescedSnapshotRestore> context) {
    if (restore.getSpec() != null && restore.getSpec().getSource() != null) {
      actions.release(restore, restore.getSpec().getSource());
    }
    return DeleteControl.defaultDelete();
  }
}
