package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import java.util.List;
import java.util.Optional;

/**
 * {@link ClusterReads} with a GET per read, for tests that call the reconciler themselves (no
 * operator, so no informers): what the informers would hold once synced.
 */
final class LiveReads implements ClusterReads {
  private final KubernetesClient client;
  private final String operatorNamespace;

  LiveReads(KubernetesClient client, String operatorNamespace) {
    this.client = client;
    this.operatorNamespace = operatorNamespace;
  }

  @Override
  public Optional<VirtualMachine> vm(String namespace, String name) {
    return Optional.ofNullable(
        client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get());
  }

  @Override
  public Optional<VirtualMachineInstance> vmi(String namespace, String name) {
    return Optional.ofNullable(
        client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).get());
  }

  @Override
  public Optional<PersistentVolumeClaim> pvc(String namespace, String name) {
    return Optional.ofNullable(
        client.persistentVolumeClaims().inNamespace(namespace).withName(name).get());
  }

  @Override
  public Optional<StorageClass> storageClass(String name) {
    return Optional.ofNullable(client.storage().v1().storageClasses().withName(name).get());
  }

  @Override
  public List<VolumeSnapshotClass> snapshotClasses() {
    return client.resources(VolumeSnapshotClass.class).list().getItems();
  }

  @Override
  public Optional<Lease> helperLease(String node) {
    return Optional.ofNullable(
        client
            .leases()
            .inNamespace(operatorNamespace)
            .withName(ClusterObserver.HELPER_LEASE_PREFIX + node)
            .get());
  }
}
