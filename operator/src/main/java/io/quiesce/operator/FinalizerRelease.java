package io.quiesce.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.restore.QuiescedSnapshotRestoreReconciler;
import io.quiesce.snapshot.QuiescedSnapshotReconciler;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code finalizers release [namespace...]}: removes the operator's finalizers from
 * QuiescedSnapshots (its own, and the one a restore in progress holds on its source) and from
 * QuiescedSnapshotRestores, for when no operator will remove it any more (an uninstall, a namespace
 * dropped from {@code watchNamespaces}); without it, deleting such a snapshot or its namespace
 * hangs for ever. Only the operator's own finalizer is removed, through a JSON patch that tests the
 * list it read, so a concurrent change is not overwritten. The VolumeSnapshots are left to their
 * deletionPolicy as Kubernetes applies it: those of Delete snapshots carry an ownerReference and go
 * with them, those of Retain snapshots carry none and stay (see docs/uninstall.md).
 */
final class FinalizerRelease {
  private final KubernetesClient client;
  private final PrintStream out;

  FinalizerRelease(KubernetesClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  /**
   * @param namespaces where to release; empty means every namespace
   * @return the number of objects released, or -1 when one could not be
   */
  int release(Set<String> namespaces) {
    List<QuiescedSnapshot> snapshots = list(QuiescedSnapshot.class, namespaces);
    List<QuiescedSnapshotRestore> restores = list(QuiescedSnapshotRestore.class, namespaces);
    int[] failed = {0};
    // a snapshot under restore also holds the restore's finalizer; no restore will release it
    // either
    int snapshotsReleased =
        releaseAll(
            QuiescedSnapshot.class,
            snapshots,
            List.of(QuiescedSnapshotReconciler.FINALIZER, QuiescedSnapshotRestore.SOURCE_FINALIZER),
            failed);
    out.println(snapshotsReleased + " QuiescedSnapshot(s) released");
    int restoresReleased =
        releaseAll(
            QuiescedSnapshotRestore.class,
            restores,
            List.of(QuiescedSnapshotRestoreReconciler.FINALIZER),
            failed);
    out.println(restoresReleased + " QuiescedSnapshotRestore(s) released");
    return failed[0] > 0 ? -1 : snapshotsReleased + restoresReleased;
  }

  private <T extends HasMetadata> List<T> list(Class<T> kind, Set<String> namespaces) {
    List<T> items = new ArrayList<>();
    if (namespaces.isEmpty()) {
      items.addAll(client.resources(kind).inAnyNamespace().list().getItems());
    } else {
      namespaces.forEach(
          ns -> items.addAll(client.resources(kind).inNamespace(ns).list().getItems()));
    }
    return items;
  }

  /**
   * Removes {@code ours} from each object's finalizers with one JSON patch that tests every entry
   * it removes (highest index first, so the indexes stay right), so a concurrent change is not
   * overwritten.
   */
  private <T extends HasMetadata> int releaseAll(
      Class<T> kind, List<T> items, List<String> ours, int[] failed) {
    int released = 0;
    for (T item : items) {
      List<String> finalizers = item.getMetadata().getFinalizers();
      if (finalizers == null) {
        continue;
      }
      List<String> ops = new ArrayList<>();
      for (int at = finalizers.size() - 1; at >= 0; at--) {
        if (ours.contains(finalizers.get(at))) {
          ops.add(
              "{\"op\":\"test\",\"path\":\"/metadata/finalizers/"
                  + at
                  + "\",\"value\":\""
                  + finalizers.get(at)
                  + "\"},{\"op\":\"remove\",\"path\":\"/metadata/finalizers/"
                  + at
                  + "\"}");
        }
      }
      if (ops.isEmpty()) {
        continue;
      }
      String where = item.getMetadata().getNamespace() + "/" + item.getMetadata().getName();
      try {
        client
            .resources(kind)
            .inNamespace(item.getMetadata().getNamespace())
            .withName(item.getMetadata().getName())
            .patch(PatchContext.of(PatchType.JSON), "[" + String.join(",", ops) + "]");
        released++;
        out.println("released " + kind.getSimpleName() + " " + where);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          failed[0]++;
          out.println(
              "could not release " + kind.getSimpleName() + " " + where + ": " + e.getMessage());
        }
      }
    }
    return released;
  }
}
