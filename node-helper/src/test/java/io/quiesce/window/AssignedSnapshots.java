package io.quiesce.window;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a QuiescedSnapshot in the state the operator leaves it when it hands the freeze to a node
 * helper (the operator is not in this module): labelled {@code quiesce.io/node}, its freeze slot
 * named ({@code quiesce.io/freeze-slot}) and that slot's Lease held by it, phase InProgress, {@code
 * status.nodeName} and the planned {@code status.volumeSnapshots[]}. The slot Lease is in the VM's
 * namespace unless another (the helper's {@code POD_NAMESPACE}) is given.
 */
final class AssignedSnapshots {
  static final String OPERATOR_FINALIZER = "quiesce.io/snapshot-protection";

  /**
   * Each assignment its own slot, as if the cap were never reached (tests of the cap name their
   * own).
   */
  private static final AtomicInteger NEXT_SLOT = new AtomicInteger();

  private AssignedSnapshots() {}

  /** Creates it for every PVC and DataVolume disk of the VM, then writes the operator's status. */
  static QuiescedSnapshot assign(
      KubernetesClient client,
      VmScenario vm,
      String name,
      QuiesceMode mode,
      String timeout,
      boolean withFinalizer) {
    return assign(client, vm, name, mode, timeout, withFinalizer, null);
  }

  /**
   * The same, naming the channel the operator resolved ({@code quiesce.io/resolved-channel}); null
   * names none.
   */
  static QuiescedSnapshot assign(
      KubernetesClient client,
      VmScenario vm,
      String name,
      QuiesceMode mode,
      String timeout,
      boolean withFinalizer,
      QuiesceChannel channel) {
    return assign(client, vm, name, mode, timeout, withFinalizer, channel, null);
  }

  /** The same with a {@code spec.deletionPolicy}; null leaves the default (Delete). */
  static QuiescedSnapshot assign(
      KubernetesClient client,
      VmScenario vm,
      String name,
      QuiesceMode mode,
      String timeout,
      boolean withFinalizer,
      QuiesceChannel channel,
      io.quiesce.api.v1alpha1.DeletionPolicy deletionPolicy) {
    return assign(
        client, vm, name, mode, timeout, withFinalizer, channel, deletionPolicy, vm.namespace());
  }

  /**
   * The same with the slot Lease in {@code slotNamespace}: the namespace of the helper under test.
   */
  static QuiescedSnapshot assignWithSlotIn(
      KubernetesClient client,
      VmScenario vm,
      String name,
      QuiesceMode mode,
      String timeout,
      String slotNamespace) {
    return assign(client, vm, name, mode, timeout, false, null, null, slotNamespace);
  }

  /** The same, the slot Lease in {@code slotNamespace}, the channel named (null names none). */
  static QuiescedSnapshot assignWithSlotIn(
      KubernetesClient client,
      VmScenario vm,
      String name,
      QuiesceMode mode,
      String timeout,
      QuiesceChannel channel,
      String slotNamespace) {
    return assign(client, vm, name, mode, timeout, false, channel, null, slotNamespace);
  }

  private static QuiescedSnapshot assign(
      KubernetesClient client,
      VmScenario vm,
      String name,
      QuiesceMode mode,
      String timeout,
      boolean withFinalizer,
      QuiesceChannel channel,
      io.quiesce.api.v1alpha1.DeletionPolicy deletionPolicy,
      String slotNamespace) {
    return assign(
        client,
        vm,
        name,
        mode,
        timeout,
        withFinalizer,
        channel,
        deletionPolicy,
        slotNamespace,
        spec -> {});
  }

  /** The same with {@code specChanges} applied to the spec before it is created (e.g. hooks). */
  static QuiescedSnapshot assignWith(
      KubernetesClient client,
      VmScenario vm,
      String name,
      String timeout,
      java.util.function.Consumer<QuiescedSnapshotSpec> specChanges) {
    return assign(
        client,
        vm,
        name,
        QuiesceMode.Required,
        timeout,
        false,
        null,
        null,
        vm.namespace(),
        specChanges);
  }

  private static QuiescedSnapshot assign(
      KubernetesClient client,
      VmScenario vm,
      String name,
      QuiesceMode mode,
      String timeout,
      boolean withFinalizer,
      QuiesceChannel channel,
      io.quiesce.api.v1alpha1.DeletionPolicy deletionPolicy,
      String slotNamespace,
      java.util.function.Consumer<QuiescedSnapshotSpec> specChanges) {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.getMetadata().setNamespace(vm.namespace());
    snapshot.getMetadata().setName(name);
    Map<String, String> labels =
        new java.util.HashMap<>(
            Map.of(
                Provenance.NODE,
                Fixtures.DEFAULT_NODE,
                Provenance.VM,
                vm.vm().getMetadata().getName()));
    if (channel != null) {
      labels.put(QuiesceChannel.RESOLVED_LABEL, channel.value());
    }
    snapshot.getMetadata().setLabels(labels);
    // the operator names the slot in the patch that assigns the node, after its Lease swap
    String slot = Provenance.FREEZE_SLOT_LEASE_PREFIX + NEXT_SLOT.getAndIncrement() % 1_000_000;
    snapshot
        .getMetadata()
        .setAnnotations(new java.util.HashMap<>(Map.of(Provenance.FREEZE_SLOT, slot)));
    if (withFinalizer) {
      snapshot.getMetadata().setFinalizers(List.of(OPERATOR_FINALIZER));
    }
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(vm.vm().getMetadata().getName());
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(mode);
    quiesce.setTimeout(timeout);
    spec.setQuiesce(quiesce);
    spec.setDeletionPolicy(deletionPolicy);
    specChanges.accept(spec);
    snapshot.setSpec(spec);
    QuiescedSnapshot created = client.resource(snapshot).create();
    holdSlot(client, slotNamespace, slot, created.getMetadata().getUid());

    List<VolumeSnapshotRecord> plan = new ArrayList<>();
    for (Volume volume : vm.vm().getSpec().getTemplate().getSpec().getVolumes()) {
      String claim =
          volume.getPersistentVolumeClaim() != null
              ? volume.getPersistentVolumeClaim().getClaimName()
              : volume.getDataVolume() != null ? volume.getDataVolume().getName() : null;
      if (claim == null) {
        continue;
      }
      VolumeSnapshotRecord entry = new VolumeSnapshotRecord();
      entry.setVolume(volume.getName());
      entry.setPersistentVolumeClaim(claim);
      entry.setVolumeSnapshotName(ChildNames.volumeSnapshot(name, volume.getName()));
      entry.setVolumeSnapshotClassName(Fixtures.SNAPSHOT_CLASS);
      plan.add(entry);
    }
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(SnapshotPhase.InProgress);
    status.setNodeName(Fixtures.DEFAULT_NODE);
    status.setStartTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    status.setVolumeSnapshots(plan);
    return client
        .resource(created)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  /**
   * Makes {@code holder} (a snapshot's uid) the holder of the slot Lease {@code slot}, creating it
   * if needed.
   */
  static void holdSlot(KubernetesClient client, String namespace, String slot, String holder) {
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(slot)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(holder)
            .endSpec()
            .build();
    client.resource(lease).createOr(existing -> existing.update());
  }

  static QuiescedSnapshot get(KubernetesClient client, QuiescedSnapshot snapshot) {
    return client
        .resources(QuiescedSnapshot.class)
        .inNamespace(snapshot.getMetadata().getNamespace())
        .withName(snapshot.getMetadata().getName())
        .get();
  }

  static List<VolumeSnapshot> volumeSnapshots(KubernetesClient client, String namespace) {
    return client.resources(VolumeSnapshot.class).inNamespace(namespace).list().getItems();
  }
}
