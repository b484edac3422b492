package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.naming.Provenance;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the VolumeSnapshots of a QuiescedSnapshot as {@link PlannedVolumeSnapshots} builds them
 * (the node helper builds the same) and applies its deletionPolicy to them.
 */
public final class VolumeSnapshots {
  private final KubernetesClient client;

  public VolumeSnapshots(KubernetesClient client) {
    this.client = client;
  }

  /** A VolumeSnapshot of the plan exists and belongs to someone else. */
  public static final class ConflictException extends Exception {
    ConflictException(String message) {
      super(message);
    }
  }

  /**
   * Creates every planned VolumeSnapshot that does not exist yet. One that exists with our owner is
   * reused (a restart, or the helper was first); one with another owner is a conflict.
   */
  public void createMissing(QuiescedSnapshot owner, List<VolumeSnapshotRecord> plan)
      throws ConflictException {
    for (VolumeSnapshotRecord planned : plan) {
      VolumeSnapshot wanted = PlannedVolumeSnapshots.build(owner, planned);
      try {
        client.resource(wanted).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        VolumeSnapshot existing =
            client
                .resources(VolumeSnapshot.class)
                .inNamespace(wanted.getMetadata().getNamespace())
                .withName(wanted.getMetadata().getName())
                .get();
        if (existing != null && !PlannedVolumeSnapshots.ownedBy(existing, owner)) {
          throw new ConflictException(
              "VolumeSnapshot "
                  + wanted.getMetadata().getName()
                  + " already exists and does not belong to this QuiescedSnapshot");
        }
      }
    }
  }

  /**
   * Applies the deletionPolicy to the VolumeSnapshots this QuiescedSnapshot owns: Delete deletes
   * them; Retain removes our ownerReference so that garbage collection keeps them.
   *
   * @return how many VolumeSnapshots were deleted or released
   */
  public int onDeletion(QuiescedSnapshot owner) {
    List<VolumeSnapshot> ours = new ArrayList<>();
    client
        .resources(VolumeSnapshot.class)
        .inNamespace(owner.getMetadata().getNamespace())
        .withLabel(Provenance.SNAPSHOT, ChildNames.labelValue(owner.getMetadata().getName()))
        .list()
        .getItems()
        .stream()
        .filter(vs -> PlannedVolumeSnapshots.ownedBy(vs, owner))
        .forEach(ours::add);
    boolean delete = SnapshotSpecs.deletionPolicy(owner) == DeletionPolicy.Delete;
    String uid = owner.getMetadata().getUid();
    for (VolumeSnapshot vs : ours) {
      var resource =
          client
              .resources(VolumeSnapshot.class)
              .inNamespace(vs.getMetadata().getNamespace())
              .withName(vs.getMetadata().getName());
      if (delete) {
        resource.delete();
      } else {
        // created under Retain, so without an ownerReference; one only from an older version
        if (vs.getMetadata().getOwnerReferences() != null
            && !vs.getMetadata().getOwnerReferences().isEmpty()) {
          resource.edit(
              live -> {
                live.getMetadata()
                    .setOwnerReferences(
                        live.getMetadata().getOwnerReferences().stream()
                            .filter(ref -> !uid.equals(ref.getUid()))
                            .toList());
                return live;
              });
        }
      }
    }
    return ours.size();
  }
}
