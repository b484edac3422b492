package io.quiesce.api.v1alpha1;

/**
 * Whether a schedule may start a snapshot of a VM while an earlier one of the same VM is still
 * running.
 */
public enum ConcurrencyPolicy {
  /** Skip the VM on this fire if a snapshot of it is still in progress. */
  Forbid,
  /**
   * Create the new snapshot anyway; it still waits for the earlier one, as one VM is frozen at most
   * once at a time.
   */
  Allow
}
