package io.quiesce.restore;

import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What to do for one restore, as decided by {@link RestoreStateMachine}: the actions, in order,
 * then the status written once.
 *
 * @param status the status to write; null when nothing changes
 * @param actions the work to do before the status is written
 * @param events Kubernetes Events to record on the restore
 * @param requeue when to look again even if nothing changes
 */
public record RestoreDecision(
    QuiescedSnapshotRestoreStatus status,
    List<RestoreAction> actions,
    List<RestoreEvent> events,
    Optional<Duration> requeue) {

  /** One Event on the restore. */
  public record RestoreEvent(boolean warning, String reason, String message) {}
}
