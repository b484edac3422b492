package io.quiesce.api.v1alpha1;

/** What ended a freeze. Anything but {@link #Cut} means the disks were not all cut while frozen. */
public enum ThawTrigger {
  /** Thawed right after every VolumeSnapshot was cut: the normal end. */
  Cut,
  /** Thawed early because creating or cutting a VolumeSnapshot failed. */
  Error,
  /** The freeze reached quiesce.timeout before every cut, and the watchdog thawed the guest. */
  Watchdog,
  /**
   * Thawed by the freeze deadline handed to the platform (KubeVirt's unfreezeTimeout), not by
   * Quiesce.
   */
  Deadline,
  /**
   * A restarted node helper found the guest still frozen with no live freeze behind it and thawed
   * it.
   */
  Recovery,
  /** The QuiescedSnapshot was deleted while the guest was frozen; the helper thawed at once. */
  Deletion,
  /** The node helper was stopping (SIGTERM) and thawed what it had frozen. */
  Shutdown,
  /**
   * An emergency thaw was requested for the VM ({@code kubectl quiesce thaw}) while it was frozen;
   * the node helper thawed at once.
   */
  Emergency
}
