package io.quiesce.naming;

/** Labels and annotations Quiesce puts on what it creates; all under its own prefix. */
public final class Provenance {
  public static final String PREFIX = "quiesce.io/";

  /** On snapshots a schedule created: the schedule's name. */
  public static final String SCHEDULE = PREFIX + "schedule";

  /**
   * On snapshots a schedule created: the schedule's UID. Retention and the fire's conflict check
   * trust a snapshot as the schedule's only with it; the chart's ValidatingAdmissionPolicy lets no
   * one but the operator set or change it (see docs/security.md).
   */
  public static final String SCHEDULE_UID = PREFIX + "schedule-uid";

  /** On snapshots and VolumeSnapshots: the VirtualMachine (label value form). */
  public static final String VM = PREFIX + "vm";

  /** On VolumeSnapshots: the QuiescedSnapshot that owns them (label value form). */
  public static final String SNAPSHOT = PREFIX + "snapshot";

  /**
   * On VolumeSnapshots: the UID of the QuiescedSnapshot they belong to (see {@link
   * VolumeSnapshotOwnership}).
   */
  public static final String SNAPSHOT_UID = PREFIX + "snapshot-uid";

  /** On QuiescedSnapshots: the node whose helper runs the freeze. */
  public static final String NODE = PREFIX + "node";

  /**
   * On QuiescedSnapshots assigned to a node helper: the name of the freeze slot Lease ({@link
   * #FREEZE_SLOT_LEASE_PREFIX}{@code <i>}, in the operator's namespace) the operator granted it;
   * the helper freezes only while that Lease names the snapshot's uid as its holder.
   */
  public static final String FREEZE_SLOT = PREFIX + "freeze-slot";

  /** Name prefix of the freeze slot Leases, one per slot of the cluster freeze cap. */
  public static final String FREEZE_SLOT_LEASE_PREFIX = "quiesce-slot-";

  /** On what Quiesce creates: who created it. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY_VALUE = "quiesce";

  private Provenance() {}
}
