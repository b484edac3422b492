package io.quiesce.freeze;

/** What start-up (or command-line) recovery did with one guest. */
public enum RecoveryAction {
  /** The agent said thawed; nothing to do. */
  NOT_FROZEN,
  /** The guest was frozen with no freeze of ours behind it and is now confirmed thawed. */
  THAWED,
  /**
   * The guest is frozen and the thaw was not confirmed in time; it stays on the needs-thaw list.
   */
  STILL_FROZEN,
  /** The agent could not be asked; its state is unknown. */
  UNREACHABLE,
  /** A live freeze of ours (or a pending thaw) holds the guest; that one ends it. */
  SKIPPED_LIVE_FREEZE,
  /**
   * Frozen, but not by this helper (not in its journal): someone else's freeze (a KubeVirt
   * VirtualMachineSnapshot, a backup tool). Reported and left alone.
   */
  FROZEN_NOT_OURS;

  /** True when the guest is known to be thawed afterwards. */
  public boolean endedThawed() {
    return this == NOT_FROZEN || this == THAWED;
  }
}
