package io.quiesce.testkit.kube.csi;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import java.util.List;
import java.util.Map;

/**
 * What the CSI snapshot controller looks up before it asks the driver for a snapshot: the source
 * PVC, its CSI driver and volume handle, and the snapshot class (named, or the driver's default).
 *
 * @param classDefaulted whether the class was not named and the driver's default was taken
 */
record SnapshotInputs(
    PersistentVolumeClaim pvc,
    String driver,
    String volumeHandle,
    VolumeSnapshotClass snapshotClass,
    boolean classDefaulted) {

  /** A snapshot that cannot be taken; the message goes to {@code status.error}. */
  static final class InvalidSnapshotException extends Exception {
    InvalidSnapshotException(String message) {
      super(message);
    }
  }

  static SnapshotInputs resolve(CsiLookups lookups, VolumeSnapshot snapshot)
      throws InvalidSnapshotException {
    String namespace = snapshot.getMetadata().getNamespace();
    String claim =
        snapshot.getSpec() == null || snapshot.getSpec().getSource() == null
            ? null
            : snapshot.getSpec().getSource().getPersistentVolumeClaimName();
    if (claim == null) {
      throw new InvalidSnapshotException(
          "FakeSnapshotter takes dynamic snapshots of a PVC only"
              + " (spec.source.persistentVolumeClaimName is not set)");
    }
    PersistentVolumeClaim pvc = lookups.claim(namespace, claim);
    if (pvc == null) {
      throw new InvalidSnapshotException(
          "failed to get input parameters to create snapshot "
              + snapshot.getMetadata().getName()
              + ": persistentvolumeclaim \""
              + claim
              + "\" not found");
    }
    PersistentVolume pv =
        pvc.getSpec().getVolumeName() == null
            ? null
            : lookups.volume(pvc.getSpec().getVolumeName());
    String driver = driver(pvc, pv, lookups::storageClass);
    String handle =
        pv != null && pv.getSpec().getCsi() != null
            ? pv.getSpec().getCsi().getVolumeHandle()
            : pvc.getMetadata().getUid();
    String className = snapshot.getSpec().getVolumeSnapshotClassName();
    if (className != null) {
      VolumeSnapshotClass named = lookups.snapshotClass(className);
      if (named == null) {
        throw new InvalidSnapshotException(
            "volumesnapshotclass.snapshot.storage.k8s.io \"" + className + "\" not found");
      }
      if (!driver.equals(named.getDriver())) {
        throw new InvalidSnapshotException(
            "snapshot class "
                + className
                + " is for driver "
                + named.getDriver()
                + ", the PVC's driver is "
                + driver);
      }
      return new SnapshotInputs(pvc, driver, handle, named, false);
    }
    List<VolumeSnapshotClass> defaults =
        lookups.snapshotClasses().stream()
            .filter(c -> driver.equals(c.getDriver()) && c.isDefault())
            .toList();
    if (defaults.size() != 1) {
      throw new InvalidSnapshotException(
          defaults.isEmpty()
              ? "cannot find default snapshot class for driver " + driver
              : defaults.size() + " default snapshot classes were found for driver " + driver);
    }
    return new SnapshotInputs(pvc, driver, handle, defaults.get(0), true);
  }

  /** Size a volume restored from the snapshot needs: the claim's capacity (else its request). */
  Quantity restoreSize() {
    Map<String, Quantity> capacity = pvc.getStatus() == null ? null : pvc.getStatus().getCapacity();
    if (capacity != null && capacity.containsKey("storage")) {
      return capacity.get("storage");
    }
    return pvc.getSpec().getResources().getRequests().get("storage");
  }

  static String driver(KubernetesClient client, PersistentVolumeClaim pvc, PersistentVolume pv)
      throws InvalidSnapshotException {
    return driver(pvc, pv, name -> client.storage().v1().storageClasses().withName(name).get());
  }

  private static String driver(
      PersistentVolumeClaim pvc,
      PersistentVolume pv,
      java.util.function.Function<String, StorageClass> storageClasses)
      throws InvalidSnapshotException {
    if (pv != null && pv.getSpec().getCsi() != null) {
      return pv.getSpec().getCsi().getDriver();
    }
    String storageClassName = pvc.getSpec().getStorageClassName();
    StorageClass storageClass =
        storageClassName == null ? null : storageClasses.apply(storageClassName);
    if (storageClass == null) {
      throw new InvalidSnapshotException(
          "cannot find the CSI driver of persistentvolumeclaim \""
              + pvc.getMetadata().getName()
              + "\"");
    }
    return storageClass.getProvisioner();
  }
}
