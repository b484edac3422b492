package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.kube.csi.VolumeSnapshot;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A FAKE of the CSI external-provisioner for tests (nothing here provisions storage): every 100 ms
 * it binds the PVCs a restore created ({@code quiesce.io/restore} label) whose {@code
 * dataSourceRef} VolumeSnapshot exists and is ready to use, by setting {@code status.phase: Bound}.
 * {@link #hold()} stops it binding (a slow storage backend), {@link #release()} lets it go on. It
 * also counts how often each PVC name was seen created (by uid), for "created nothing twice".
 */
final class FakeRestoreProvisioner implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fake-restore-provisioner");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean held;
  private java.util.function.Consumer<PersistentVolumeClaim> beforeBind;
  final Set<String> uidsSeen = ConcurrentHashMap.newKeySet();

  private FakeRestoreProvisioner(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  static FakeRestoreProvisioner start(KubernetesClient client, String namespace) {
    return start(client, namespace, pvc -> {});
  }

  /**
   * Same, calling {@code beforeBind} for each PVC just before binding it (say, to make its image).
   */
  static FakeRestoreProvisioner start(
      KubernetesClient client,
      String namespace,
      java.util.function.Consumer<PersistentVolumeClaim> beforeBind) {
    FakeRestoreProvisioner p = new FakeRestoreProvisioner(client, namespace);
    p.beforeBind = beforeBind;
    p.loop.scheduleWithFixedDelay(p::bindAll, 0, 100, TimeUnit.MILLISECONDS);
    return p;
  }

  void hold() {
    held = true;
  }

  void release() {
    held = false;
  }

  private void bindAll() {
    try {
      for (PersistentVolumeClaim pvc :
          client
              .persistentVolumeClaims()
              .inNamespace(namespace)
              .withLabel(QuiescedSnapshotRestore.RESTORE_LABEL)
              .list()
              .getItems()) {
        uidsSeen.add(pvc.getMetadata().getName() + "/" + pvc.getMetadata().getUid());
        if (held || pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase())) {
          continue;
        }
        var ref = pvc.getSpec().getDataSourceRef();
        VolumeSnapshot vs =
            ref == null
                ? null
                : client
                    .resources(VolumeSnapshot.class)
                    .inNamespace(namespace)
                    .withName(ref.getName())
                    .get();
        if (vs == null
            || vs.getStatus() == null
            || !Boolean.TRUE.equals(vs.getStatus().getReadyToUse())) {
          continue;
        }
        beforeBind.accept(pvc);
        pvc.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
        client.persistentVolumeClaims().inNamespace(namespace).resource(pvc).updateStatus();
      }
    } catch (KubernetesClientException e) {
      // the next round tries again (a conflict with another writer, the server going away at the
      // end)
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
