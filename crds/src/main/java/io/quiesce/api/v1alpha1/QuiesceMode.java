package io.quiesce.api.v1alpha1;

/** How hard to try to freeze the guest's filesystems before the cut. */
public enum QuiesceMode {
  /** Freeze, or fail the snapshot with a clear reason: a quiesced snapshot or none. */
  Required,
  /** Freeze if the guest can be frozen; otherwise take a crash-consistent snapshot and say why. */
  BestEffort,
  /**
   * Do not freeze: a crash-consistent snapshot (or consistent by construction if the VM is
   * stopped).
   */
  Skip
}
