package io.quiesce.window;

import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;

/** Which QuiescedSnapshots are this node helper's to run. */
final class Assignment {

  private Assignment() {}

  /**
   * True when the operator handed the snapshot to {@code node} and nobody has recorded its freeze:
   * phase InProgress, {@code status.nodeName} this node, no {@code status.freeze} and no {@code
   * status.helperHandBack}, not deleting.
   */
  static boolean isRunnable(QuiescedSnapshot snapshot, String node) {
    var status = snapshot.getStatus();
    return status != null
        && status.getPhase() == SnapshotPhase.InProgress
        && node.equals(status.getNodeName())
        && status.getFreeze() == null
        && status.getHelperHandBack() == null
        && !snapshot.isMarkedForDeletion();
  }
}
