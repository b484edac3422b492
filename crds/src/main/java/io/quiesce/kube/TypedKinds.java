package io.quiesce.kube;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeGroupSnapshotClass;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.csi.VolumeSnapshotContent;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import java.util.List;

/**
 * The typed kinds Quiesce reads, made known to a client's serialization.
 *
 * <p>fabric8 decodes a watch event's object by its apiVersion and kind; a kind it does not know
 * becomes a {@code GenericKubernetesResource} first, which the watch then converts to the
 * informer's class (a second full decode: 15 % of the operator's CPU in a fire). Registered, the
 * event decodes straight into the typed class.
 */
public final class TypedKinds {

  /** Every kind with a typed model in this project, at the version its class names. */
  public static final List<Class<? extends KubernetesResource>> ALL =
      List.of(
          QuiescedSnapshot.class,
          QuiescedSnapshotSchedule.class,
          QuiescedSnapshotRestore.class,
          VolumeSnapshot.class,
          VolumeSnapshotContent.class,
          VolumeSnapshotClass.class,
          VolumeGroupSnapshot.class,
          VolumeGroupSnapshotClass.class,
          VirtualMachine.class,
          VirtualMachineInstance.class);

  private TypedKinds() {}

  /** Registers {@link #ALL} with this client's serialization; returns the client. */
  public static <C extends KubernetesClient> C registerWith(C client) {
    register(client.getKubernetesSerialization());
    return client;
  }

  /** Registers {@link #ALL} with this serialization. */
  public static void register(KubernetesSerialization serialization) {
    ALL.forEach(serialization::registerKubernetesResource);
  }
}
