package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.PlannedVolumeSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Creates the planned VolumeSnapshots of a QuiescedSnapshot, all at once. One that already exists
 * with this QuiescedSnapshot as controller is reused (a retry, a restart); one owned by anything
 * else is an error: it is not ours to use.
 */
final class VolumeSnapshotCreator {
  private final KubernetesClient client;
  private final ExecutorService io;
  private final GroupSnapshotCut groups;

  VolumeSnapshotCreator(KubernetesClient client, ExecutorService io) {
    this.client = client;
    this.io = io;
    this.groups = new GroupSnapshotCut(client);
  }

  /** The cut of a snapshot planned as one VolumeGroupSnapshot; see {@link GroupSnapshotCut}. */
  GroupSnapshotCut groups() {
    return groups;
  }

  /**
   * Creates every planned VolumeSnapshot in parallel and waits for the API server's answers.
   *
   * @return the objects as stored
   * @throws VolumeSnapshotCreationException when one could not be created or is another's
   */
  List<VolumeSnapshot> createAll(QuiescedSnapshot snapshot) {
    if (GroupSnapshotCut.planned(snapshot)) {
      groups.create(snapshot); // the group controller creates the members
      return List.of();
    }
    List<CompletableFuture<VolumeSnapshot>> pending = new ArrayList<>();
    for (VolumeSnapshot planned : PlannedVolumeSnapshots.of(snapshot)) {
      pending.add(CompletableFuture.supplyAsync(() -> createOrReuse(snapshot, planned), io));
    }
    List<VolumeSnapshot> created = new ArrayList<>();
    for (CompletableFuture<VolumeSnapshot> future : pending) {
      try {
        created.add(future.join());
      } catch (CompletionException e) {
        throw e.getCause() instanceof VolumeSnapshotCreationException failure
            ? failure
            : new VolumeSnapshotCreationException(
                "creating a VolumeSnapshot failed: " + e.getCause(), e.getCause());
      }
    }
    return created;
  }

  private VolumeSnapshot createOrReuse(QuiescedSnapshot snapshot, VolumeSnapshot planned) {
    try {
      return client.resource(planned).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw new VolumeSnapshotCreationException(
            "creating VolumeSnapshot "
                + planned.getMetadata().getName()
                + " failed: "
                + e.getMessage(),
            e);
      }
    }
    VolumeSnapshot live = resource(planned).get();
    if (live == null || !PlannedVolumeSnapshots.ownedBy(live, snapshot)) {
      throw new VolumeSnapshotCreationException(
          "VolumeSnapshot "
              + planned.getMetadata().getNamespace()
              + "/"
              + planned.getMetadata().getName()
              + " already exists and is not owned by this QuiescedSnapshot",
          null);
    }
    return live;
  }

  private Resource<VolumeSnapshot> resource(VolumeSnapshot planned) {
    return client
        .resources(VolumeSnapshot.class)
        .inNamespace(planned.getMetadata().getNamespace())
        .withName(planned.getMetadata().getName());
  }

  /** A planned VolumeSnapshot could not be created, or its name is taken by an object not ours. */
  static final class VolumeSnapshotCreationException extends RuntimeException {
    VolumeSnapshotCreationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
