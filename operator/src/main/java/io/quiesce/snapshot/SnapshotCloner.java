package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;

/**
 * JOSDK's copy of a primary before each reconcile: a live QuiescedSnapshot is handed over as
 * cached, not copied (a JSON round trip of the whole object per reconcile was a twelfth of the
 * operator's CPU in a fire). The snapshot reconciler never changes the object it is given: each
 * decision is a new status ({@link Draft}), each write a merge patch built beside it ({@link
 * SnapshotWriter}), and {@code UnclonedSnapshotsTest} fails if a reconcile changes it. A snapshot
 * being deleted is still copied: JOSDK's finalizer removal edits the object it hands over. Every
 * other kind is copied as JOSDK does by default.
 */
public final class SnapshotCloner implements Cloner {
  private final KubernetesSerialization serialization;

  public SnapshotCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    return object instanceof QuiescedSnapshot && !object.isMarkedForDeletion()
        ? object
        : serialization.clone(object);
  }
}
