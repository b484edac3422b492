package io.quiesce.testkit.kube.csi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import java.util.List;
import java.util.function.Supplier;

/**
 * The objects the CSI snapshot controller reads to take a snapshot (claims, volumes, storage and
 * snapshot classes), read as the real controller reads them: from informer caches (it uses
 * listers), not with a GET per snapshot, which cost the test API server three requests per
 * snapshot. An object the cache does not hold yet (created a moment ago) is read with a GET, so a
 * test need not wait for the cache. Close it to stop its informers.
 */
final class CsiLookups implements AutoCloseable {
  private final KubernetesClient client;
  private final SharedIndexInformer<PersistentVolumeClaim> claims;
  private final SharedIndexInformer<PersistentVolume> volumes;
  private final SharedIndexInformer<StorageClass> storageClasses;
  private final SharedIndexInformer<VolumeSnapshotClass> snapshotClasses;

  /** Starts the informers; returns once they have synced. */
  CsiLookups(KubernetesClient client) {
    this.client = client;
    this.claims = client.persistentVolumeClaims().inAnyNamespace().inform();
    this.volumes = client.persistentVolumes().inform();
    this.storageClasses = client.storage().v1().storageClasses().inform();
    this.snapshotClasses = client.resources(VolumeSnapshotClass.class).inform();
  }

  PersistentVolumeClaim claim(String namespace, String name) {
    return cachedOr(
        claims,
        namespace + "/" + name,
        () -> client.persistentVolumeClaims().inNamespace(namespace).withName(name).get());
  }

  PersistentVolume volume(String name) {
    return cachedOr(volumes, name, () -> client.persistentVolumes().withName(name).get());
  }

  StorageClass storageClass(String name) {
    return cachedOr(
        storageClasses, name, () -> client.storage().v1().storageClasses().withName(name).get());
  }

  VolumeSnapshotClass snapshotClass(String name) {
    return cachedOr(
        snapshotClasses,
        name,
        () -> client.resources(VolumeSnapshotClass.class).withName(name).get());
  }

  /** Every snapshot class, as listed now (the default class is looked up rarely). */
  List<VolumeSnapshotClass> snapshotClasses() {
    return client.resources(VolumeSnapshotClass.class).list().getItems();
  }

  private static <T extends HasMetadata> T cachedOr(
      SharedIndexInformer<T> informer, String key, Supplier<T> read) {
    T cached = informer.getStore().getByKey(key);
    return cached != null ? cached : read.get();
  }

  @Override
  public void close() {
    claims.close();
    volumes.close();
    storageClasses.close();
    snapshotClasses.close();
  }
}
