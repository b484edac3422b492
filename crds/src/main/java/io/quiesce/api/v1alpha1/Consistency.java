package io.quiesce.api.v1alpha1;

/** What a finished snapshot can be trusted for. */
public enum Consistency {
  /**
   * Every disk was cut while the guest's filesystems were frozen (the agent counted frozen
   * filesystems and the thaw came after the last cut), or the VM was stopped.
   */
  FilesystemConsistent,
  /** As if the power had been cut: journaled filesystems recover, open files may not. */
  CrashConsistent
}
