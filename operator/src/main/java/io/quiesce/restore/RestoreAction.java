package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.quiesce.kube.kubevirt.VirtualMachine;
import java.util.List;
import java.util.Map;

/**
 * One piece of work a {@link RestoreDecision} asks for; each is idempotent (a resumed restore may
 * repeat it).
 */
public sealed interface RestoreAction {

  /**
   * Put {@code quiesce.io/restore-in-progress} on the source snapshot (deletion and retention then
   * wait).
   */
  record ProtectSource(String snapshot) implements RestoreAction {}

  /** Take that finalizer off again, unless another restore in progress reads the snapshot. */
  record ReleaseSource(String snapshot) implements RestoreAction {}

  /** Ask KubeVirt to stop the VM (runStrategy Halted). */
  record StopVm(String vm) implements RestoreAction {}

  /** Create the PVCs that do not exist yet. */
  record CreateClaims(List<PersistentVolumeClaim> claims) implements RestoreAction {}

  /** Create the new VM. */
  record CreateVm(VirtualMachine vm) implements RestoreAction {}

  /**
   * A JSON merge patch of the VM's spec, based on the VM's resourceVersion: volumes re-pointed and
   * the run strategy back to what it was.
   */
  record UpdateVm(String vm, String resourceVersion, Map<String, Object> specPatch)
      implements RestoreAction {}

  /** Delete these PVCs (in place, previousVolumes: Delete). */
  record DeleteClaims(List<String> claims) implements RestoreAction {}
}
