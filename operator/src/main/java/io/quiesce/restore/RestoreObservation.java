package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.naming.ChildNames;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Everything {@link RestoreStateMachine} needs to decide, read in one go (no I/O after this).
 * Nothing is read outside the restore's namespace.
 *
 * @param restore the restore as seen
 * @param now the time of the observation
 * @param source the QuiescedSnapshot it names, absent when there is none
 * @param targetVm the VM restored into (new VM: the one of that name, if any; in place: the
 *     snapshot's VM)
 * @param instanceExists whether that VM has a VirtualMachineInstance (it runs, starts or stops)
 * @param claims the PVCs that exist among those the restore creates, the snapshot's and the VM's
 *     current ones, by name
 * @param waitForFirstConsumer storage classes of those claims that bind on first use
 * @param claimNames the name of the PVC restored for a volume ({@link ChildNames#restoredClaim} for
 *     one VM; a group's member has its VM in the name)
 */
public record RestoreObservation(
    QuiescedSnapshotRestore restore,
    Instant now,
    Optional<QuiescedSnapshot> source,
    Optional<VirtualMachine> targetVm,
    boolean instanceExists,
    Map<String, PersistentVolumeClaim> claims,
    Set<String> waitForFirstConsumer,
    UnaryOperator<String> claimNames) {

  /** A restore of one VM: its PVCs are named {@code <restore>--<volume>}. */
  public RestoreObservation(
      QuiescedSnapshotRestore restore,
      Instant now,
      Optional<QuiescedSnapshot> source,
      Optional<VirtualMachine> targetVm,
      boolean instanceExists,
      Map<String, PersistentVolumeClaim> claims,
      Set<String> waitForFirstConsumer) {
    this(
        restore,
        now,
        source,
        targetVm,
        instanceExists,
        claims,
        waitForFirstConsumer,
        oneVmClaims(restore));
  }

  /** The name of the PVC restored for {@code volume}. */
  public String claimName(String volume) {
    return claimNames.apply(volume);
  }

  static UnaryOperator<String> oneVmClaims(QuiescedSnapshotRestore restore) {
    String name = restore.getMetadata().getName();
    return volume -> ChildNames.restoredClaim(name, volume);
  }
}
