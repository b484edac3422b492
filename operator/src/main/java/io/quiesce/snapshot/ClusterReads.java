package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import java.util.List;
import java.util.Optional;

/**
 * The reads {@link ClusterObserver} makes, by key. In the operator they come from the informer
 * caches of {@link SecondarySources} (no request per reconcile); a test that calls the reconciler
 * itself may read live.
 */
public interface ClusterReads {
  Optional<VirtualMachine> vm(String namespace, String name);

  Optional<VirtualMachineInstance> vmi(String namespace, String name);

  Optional<PersistentVolumeClaim> pvc(String namespace, String name);

  /** Cluster-scoped. */
  Optional<StorageClass> storageClass(String name);

  /** Cluster-scoped: every VolumeSnapshotClass. */
  List<VolumeSnapshotClass> snapshotClasses();

  /**
   * The node helper's heartbeat Lease {@code quiesce-helper-<node>} in the operator's namespace.
   */
  Optional<Lease> helperLease(String node);
}
