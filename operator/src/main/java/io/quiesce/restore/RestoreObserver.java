package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.RestoredVolume;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads what {@link RestoreStateMachine} needs for one restore, in the restore's namespace only:
 * the source snapshot, the target VM and whether it has an instance, and the few PVCs involved (a
 * handful of GETs; restores are rare, so no informer is kept for them).
 */
final class RestoreObserver {
  private final KubernetesClient client;
  private final Clock clock;

  RestoreObserver(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  RestoreObservation observe(QuiescedSnapshotRestore restore) {
    return observe(restore, source(restore), RestoreObservation.oneVmClaims(restore));
  }

  /** The snapshot the restore names, in the restore's namespace. */
  Optional<QuiescedSnapshot> source(QuiescedSnapshotRestore restore) {
    return Optional.ofNullable(
        restore.getSpec().getSource() == null
            ? null
            : client
                .resources(QuiescedSnapshot.class)
                .inNamespace(restore.getMetadata().getNamespace())
                .withName(restore.getSpec().getSource())
                .get());
  }

  /**
   * Reads what the restore needs besides its source, given as seen (for a group's member: the
   * snapshot as that one VM's, see {@link GroupRestore}).
   */
  RestoreObservation observe(
      QuiescedSnapshotRestore restore,
      Optional<QuiescedSnapshot> source,
      UnaryOperator<String> claimNames) {
    String ns = restore.getMetadata().getNamespace();
    NewVmTarget newVm = restore.getSpec().getTarget().getNewVM();
    boolean terminal =
        restore.getStatus() != null
            && restore.getStatus().getPhase() != null
            && switch (restore.getStatus().getPhase()) {
              case Succeeded, Failed -> true;
              default -> false;
            };
    boolean foreignTarget =
        newVm != null && newVm.getNamespace() != null && !newVm.getNamespace().equals(ns);
    if (terminal || foreignTarget || source.isEmpty()) {
      // nothing else is read: a finished restore only releases its source, a foreign target is
      // refused
      return new RestoreObservation(
          restore,
          clock.instant(),
          source,
          Optional.empty(),
          false,
          Map.of(),
          Set.of(),
          claimNames);
    }
    String vmName = newVm != null ? newVm.getName() : source.get().getSpec().getSource();
    Optional<VirtualMachine> vm =
        Optional.ofNullable(
            client.resources(VirtualMachine.class).inNamespace(ns).withName(vmName).get());
    boolean instance =
        client.resources(VirtualMachineInstance.class).inNamespace(ns).withName(vmName).get()
            != null;
    Set<String> names = new LinkedHashSet<>();
    if (source.get().getStatus() != null && source.get().getStatus().getVolumeSnapshots() != null) {
      for (VolumeSnapshotRecord r : source.get().getStatus().getVolumeSnapshots()) {
        names.add(claimNames.apply(r.getVolume()));
        if (r.getPersistentVolumeClaim() != null) {
          names.add(r.getPersistentVolumeClaim());
        }
      }
    }
    if (restore.getStatus() != null && restore.getStatus().getVolumes() != null) {
      restore.getStatus().getVolumes().stream()
          .map(RestoredVolume::getPreviousClaim)
          .filter(c -> c != null)
          .forEach(names::add);
    }
    vm.ifPresent(v -> names.addAll(RestoredVm.claimVolumes(RestoredVm.specOf(v)).values()));
    Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    for (String name : names) {
      PersistentVolumeClaim pvc =
          client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
      if (pvc != null) {
        claims.put(name, pvc);
      }
    }
    Set<String> lateBinding = new LinkedHashSet<>();
    claims.values().stream()
        .map(c -> c.getSpec() == null ? null : c.getSpec().getStorageClassName())
        .filter(c -> c != null)
        .distinct()
        .forEach(
            sc -> {
              StorageClass storageClass = client.storage().v1().storageClasses().withName(sc).get();
              if (storageClass != null
                  && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode())) {
                lateBinding.add(sc);
              }
            });
    return new RestoreObservation(
        restore, clock.instant(), source, vm, instance, claims, lateBinding, claimNames);
  }
}
