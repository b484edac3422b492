package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What to do for one snapshot, as decided by {@link SnapshotStateMachine}.
 *
 * @param status the operator-owned status fields to write; {@code null} when nothing changes
 * @param action the work to do before the status is written
 * @param plan the VolumeSnapshots the action is about
 * @param node the node to assign to (for {@link Action#ASSIGN_TO_HELPER})
 * @param events Kubernetes Events to record on the snapshot
 * @param requeue when to look again even if nothing changes
 * @param outcome set when this decision ends the snapshot (for metrics)
 * @param channel the channel the helper is to use (for {@link Action#ASSIGN_TO_HELPER}), else null
 */
public record Decision(
    QuiescedSnapshotStatus status,
    Action action,
    List<VolumeSnapshotRecord> plan,
    String node,
    List<SnapshotEvent> events,
    Optional<Duration> requeue,
    Optional<String> outcome,
    QuiesceChannel channel) {

  /** The work a decision asks for. */
  public enum Action {
    NONE,
    /** Create the planned VolumeSnapshots (no freeze: stopped VM, Skip, BestEffort fallbacks). */
    CREATE_VOLUME_SNAPSHOTS,
    /**
     * Label the snapshot for the node helper of {@link #node()}, naming the {@link #channel()} to
     * use.
     */
    ASSIGN_TO_HELPER,
    /**
     * Start the KubeVirt freeze window (freeze, create the VolumeSnapshots, wait for the cuts,
     * confirm, unfreeze).
     */
    FREEZE_THROUGH_KUBEVIRT,
    /**
     * The operator's KubeVirt window runs: write its record once it ended, or, when no window of
     * this process runs for it (operator restarted), unfreeze and record it interrupted.
     */
    AWAIT_KUBEVIRT_WINDOW
  }

  /** The same decision with this status to write (null: nothing to write). */
  public Decision withStatus(QuiescedSnapshotStatus newStatus) {
    return new Decision(newStatus, action, plan, node, events, requeue, outcome, channel);
  }

  /** The same decision, looked at again after {@code after}. */
  public Decision withRequeue(Duration after) {
    return new Decision(status, action, plan, node, events, Optional.of(after), outcome, channel);
  }

  /** One Event on the snapshot. */
  public record SnapshotEvent(boolean warning, String reason, String message) {}
}
