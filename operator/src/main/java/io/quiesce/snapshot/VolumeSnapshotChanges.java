package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import java.util.Objects;

/**
 * Which updates of a VolumeSnapshot can change a decision about its QuiescedSnapshot: those of what
 * a decision reads of it ({@code status.creationTime}, {@code readyToUse}, {@code restoreSize},
 * {@code error}, {@code volumeGroupSnapshotName}; its spec, labels, annotations and owners; its
 * deletion). The snapshot controller also adds its bound-protection finalizer and writes the bound
 * content's name (and {@code readyToUse: false}) to each VolumeSnapshot before the cut: two updates
 * of each that changed nothing, each a reconcile of the snapshot. Nor does a VolumeSnapshot that
 * appears without any progress (the helper's create, mid-freeze): its cut is the event that
 * matters, and every snapshot is reconciled when the operator starts, whatever its informers list.
 */
final class VolumeSnapshotChanges {
  private VolumeSnapshotChanges() {}

  /** The add filter: a VolumeSnapshot seen for the first time with some progress already. */
  static boolean decidesWhenNew(VolumeSnapshot created) {
    return !progress(created.getStatus()).equals(progress(null))
        || created.getMetadata().getDeletionTimestamp() != null;
  }

  /** The update filter of the VolumeSnapshot event source. */
  static boolean decides(VolumeSnapshot newer, VolumeSnapshot older) {
    return older == null
        || !Objects.equals(progress(newer.getStatus()), progress(older.getStatus()))
        || !sameMetadata(newer.getMetadata(), older.getMetadata())
        || !Objects.equals(json(newer.getSpec()), json(older.getSpec()));
  }

  private record Progress(
      String creationTime,
      boolean readyToUse,
      Object restoreSize,
      String error,
      String errorTime,
      String group) {}

  private static Progress progress(VolumeSnapshotStatus s) {
    if (s == null) {
      return new Progress(null, false, null, null, null, null);
    }
    return new Progress(
        s.getCreationTime(),
        Boolean.TRUE.equals(s.getReadyToUse()),
        s.getRestoreSize(),
        s.getError() == null ? null : Objects.toString(s.getError().getMessage(), ""),
        s.getError() == null ? null : s.getError().getTime(),
        s.getVolumeGroupSnapshotName());
  }

  private static boolean sameMetadata(ObjectMeta a, ObjectMeta b) {
    return Objects.equals(a.getDeletionTimestamp(), b.getDeletionTimestamp())
        && Objects.equals(a.getLabels(), b.getLabels())
        && Objects.equals(a.getAnnotations(), b.getAnnotations())
        && Objects.equals(a.getOwnerReferences(), b.getOwnerReferences());
  }

  private static String json(Object spec) {
    return spec == null ? null : Serialization.asJson(spec);
  }
}
