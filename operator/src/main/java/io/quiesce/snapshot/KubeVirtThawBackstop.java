package io.quiesce.snapshot;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.Decision.SnapshotEvent;
import io.quiesce.status.Reason;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's backstop for a thaw the node helper could not confirm (say, the guest migrated
 * while frozen and the helper's route now leads to the source pod's dead socket): it asks KubeVirt
 * to unfreeze the VMI, which reaches the guest wherever it runs now. KubeVirt's {@code unfreeze} is
 * idempotent (virt-launcher does nothing when the agent says thawed), so calling it on each
 * reconcile that sees such a record is safe. The helper's side (looking the VMI up again, its
 * journal) is the helper's.
 */
final class KubeVirtThawBackstop {
  private static final Logger LOG = LoggerFactory.getLogger(KubeVirtThawBackstop.class);

  private final KubeVirtFreezeApi api;

  KubeVirtThawBackstop(KubeVirtFreezeApi api) {
    this.api = api;
  }

  /** True for an InProgress snapshot whose helper recorded a thaw it could not confirm. */
  static boolean needed(QuiescedSnapshot s) {
    if (s.getStatus() == null || s.getStatus().getPhase() != SnapshotPhase.InProgress) {
      return false;
    }
    FreezeRecord freeze = s.getStatus().getFreeze();
    return freeze != null
        && freeze.getMethod() != FreezeMethod.KUBEVIRT_API
        && Reason.THAW_NOT_CONFIRMED.is(freeze.getReason());
  }

  /**
   * Calls KubeVirt's {@code unfreeze} when {@link #needed}; the Event to record on the snapshot, if
   * any.
   */
  Optional<SnapshotEvent> apply(QuiescedSnapshot s) {
    if (!needed(s)) {
      return Optional.empty();
    }
    String ns = s.getMetadata().getNamespace();
    String vmi = SnapshotSpecs.spec(s).getSource();
    try {
      api.unfreeze(ns, vmi);
      return Optional.of(
          new SnapshotEvent(
              true,
              Reason.KUBEVIRT_UNFREEZE_BACKSTOP.wire(),
              "the node helper could not confirm "
                  + "its thaw of VirtualMachineInstance "
                  + vmi
                  + "; KubeVirt's unfreeze was called as a backstop"));
    } catch (KubeVirtFreezeApi.KubeVirtFreezeException e) {
      LOG.warn("backstop unfreeze of {}/{} failed: {}", ns, vmi, e.getMessage());
      return Optional.of(
          new SnapshotEvent(
              true,
              Reason.KUBEVIRT_UNFREEZE_BACKSTOP_FAILED.wire(),
              "the node helper could not "
                  + "confirm its thaw of VirtualMachineInstance "
                  + vmi
                  + ", and KubeVirt's unfreeze failed too: "
                  + e.getMessage()));
    }
  }
}
