package io.quiesce.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.snapshot.QuiescedSnapshotReconciler;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code finalizers release [namespace...]}: removes the operator's finalizer from QuiescedSnapshots,
 * for when no operator will remove it any more (an uninstall, a namespace dropped from
 * {@code watchNamespaces}); without it, deleting such a snapshot or its namespace hangs for ever.
 * Only the operator's own finalizer is removed, through a JSON patch that tests the list it read, so
 * a concurrent change is not overwritten. The VolumeSnapshots are left to their deletionPolicy as
 * Kubernetes applies it: those of Delete snapshots carry an ownerReference and go with them, those
 * of Retain snapshots carry none and stay (see docs/uninstall.md).
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
     * @return the number of snapshots released, or -1 when one could not be
     */
    int release(Set<String> namespaces) {
        List<QuiescedSnapshot> snapshots = new ArrayList<>();
        if (namespaces.isEmpty()) {
            snapshots.addAll(client.resources(QuiescedSnapshot.class).inAnyNamespace().list().getItems());
        } else {
            namespaces.forEach(ns -> snapshots.addAll(client.resources(QuiescedSnapshot.class).inNamespace(ns)
                    .list().getItems()));
        }
        int released = 0;
        boolean failed = false;
        for (QuiescedSnapshot s : snapshots) {
            List<String> finalizers = s.getMetadata().getFinalizers();
            int at = finalizers == null ? -1 : finalizers.indexOf(QuiescedSnapshotReconciler.FINALIZER);
            if (at < 0) {
                continue;
            }
            String patch = "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/" + at + "\",\"value\":\""
                    + QuiescedSnapshotReconciler.FINALIZER + "\"},{\"op\":\"remove\",\"path\":\"/metadata/finalizers/"
                    + at + "\"}]";
            try {
                client.resources(QuiescedSnapshot.class).inNamespace(s.getMetadata().getNamespace())
                        .withName(s.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON), patch);
                released++;
                out.println("released " + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    failed = true;
                    out.println("could not release " + s.getMetadata().getNamespace() + "/"
                            + s.getMetadata().getName() + ": " + e.getMessage());
                }
            }
        }
        out.println(released + " QuiescedSnapshot(s) released");
        return failed ? -1 : released;
    }
}
