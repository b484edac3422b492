package io.quiesce.status;

/**
 * The reasons about cutting a VM's disks as one CSI VolumeGroupSnapshot ({@code spec.volumeGroup}):
 * condition and Event reasons; see docs/consistency-groups.md for what to do about each.
 */
public final class VolumeGroupReasons {
    /** {@code Required}, and the cluster serves no {@code groupsnapshot.storage.k8s.io} version. */
    public static final String NOT_SERVED = "VolumeGroupSnapshotNotServed";
    /** {@code Required}, and no VolumeGroupSnapshotClass fits every PVC of the VM. */
    public static final String NO_CLASS = "NoVolumeGroupSnapshotClass";
    /** {@code Auto} found no fitting group class: one VolumeSnapshot per volume (a Normal Event says why). */
    public static final String PER_VOLUME_FALLBACK = "VolumeGroupFallback";
    /** The group snapshot (or the object of its name) failed; its error is quoted. */
    public static final String FAILED = "VolumeGroupSnapshotFailed";

    private VolumeGroupReasons() {
    }
}
