package io.quiesce.window;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.VolumeSnapshotOwnership;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cut of a window whose disks the operator planned as one VolumeGroupSnapshot ({@code
 * status.volumeGroupSnapshot}): create it (the operator labelled the PVCs its selector matches),
 * and follow that one object by watch until its {@code status.creationTime} (every member cut at
 * that instant: the window thaws on it) or its {@code status.error}.
 */
final class GroupSnapshotCut {
  private final KubernetesClient client;

  GroupSnapshotCut(KubernetesClient client) {
    this.client = client;
  }

  static boolean planned(QuiescedSnapshot snapshot) {
    return GroupSnapshotRequests.planned(snapshot).isPresent();
  }

  /** Creates the group snapshot, or reuses ours. */
  void create(QuiescedSnapshot snapshot) {
    VolumeGroupSnapshotRecord group = GroupSnapshotRequests.planned(snapshot).orElseThrow();
    try {
      GroupSnapshotRequests.createOrReuse(client, snapshot, group);
    } catch (GroupSnapshotRequests.NotOursException e) {
      throw new VolumeSnapshotCreator.VolumeSnapshotCreationException(e.getMessage(), e);
    } catch (KubernetesClientException e) {
      throw new VolumeSnapshotCreator.VolumeSnapshotCreationException(
          "creating VolumeGroupSnapshot " + group.getName() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The members of our group snapshot that exist (none when the group does not exist or is not
   * ours).
   */
  List<VolumeSnapshot> existingMembers(QuiescedSnapshot snapshot) {
    VolumeGroupSnapshotRecord group = GroupSnapshotRequests.planned(snapshot).orElseThrow();
    String ns = snapshot.getMetadata().getNamespace();
    VolumeGroupSnapshot live =
        VolumeGroupSnapshotApi.get(
            client, VolumeGroupSnapshotApi.versionOf(group.getApiVersion()), ns, group.getName());
    if (live == null || !VolumeSnapshotOwnership.belongsTo(live.getMetadata(), snapshot)) {
      return List.of();
    }
    return client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems().stream()
        .filter(vs -> GroupSnapshotRequests.isMember(vs, group.getName()))
        .toList();
  }

  /**
   * Completes with {@link CutOutcome.Kind#ALL_CUT} once the group has its creationTime, or {@link
   * CutOutcome.Kind#FAILED} with its error. Cancel it to stop following.
   */
  CompletableFuture<CutOutcome> awaitCut(QuiescedSnapshot snapshot) {
    VolumeGroupSnapshotRecord group = GroupSnapshotRequests.planned(snapshot).orElseThrow();
    String ns = snapshot.getMetadata().getNamespace();
    CompletableFuture<CutOutcome> outcome = new CompletableFuture<>();
    SharedIndexInformer<GenericKubernetesResource> informer =
        client
            .genericKubernetesResources(
                VolumeGroupSnapshotApi.groupSnapshots(
                    VolumeGroupSnapshotApi.versionOf(group.getApiVersion())))
            .inNamespace(ns)
            .withName(group.getName())
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource g) {
                    observe(g, outcome, ns + "/" + group.getName());
                  }

                  @Override
                  public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource g) {
                    observe(g, outcome, ns + "/" + group.getName());
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource g, boolean unknown) {
                    // a group deleted while we wait never cuts: the deadline ends the wait
                  }
                });
    outcome.whenComplete((r, e) -> informer.close());
    return outcome;
  }

  private static void observe(
      GenericKubernetesResource generic, CompletableFuture<CutOutcome> outcome, String key) {
    VolumeGroupSnapshot g = VolumeGroupSnapshotApi.typed(generic, VolumeGroupSnapshot.class);
    if (g.getStatus() == null) {
      return;
    }
    if (g.getStatus().getError() != null && g.getStatus().getError().getMessage() != null) {
      outcome.complete(
          new CutOutcome(
              CutOutcome.Kind.FAILED,
              "VolumeGroupSnapshot " + key + ": " + g.getStatus().getError().getMessage()));
    } else if (g.getStatus().getCreationTime() != null) {
      outcome.complete(CutOutcome.of(CutOutcome.Kind.ALL_CUT));
    }
  }
}
