package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.naming.VolumeSnapshotOwnership;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The operator's part of a group snapshot: it puts the group's selector label on the VM's PVCs
 * before the window opens (so that whoever cuts only creates the VolumeGroupSnapshot), creates the
 * group itself when no freeze is needed, takes the label off when the snapshot ends, and applies
 * the deletionPolicy to the group as one unit (the group controller deletes its members with it).
 */
final class GroupSnapshotActions {
  private final KubernetesClient client;

  GroupSnapshotActions(KubernetesClient client) {
    this.client = client;
  }

  /** The group the decision plans, if any. */
  static Optional<VolumeGroupSnapshotRecord> planned(QuiescedSnapshot basis, Decision decision) {
    QuiescedSnapshotStatus status =
        decision.status() != null ? decision.status() : basis.getStatus();
    return Optional.ofNullable(status == null ? null : status.getVolumeGroupSnapshot());
  }

  /**
   * {@code basis} with the decided status, for a window that runs on another thread and must see
   * the planned group (the status is written before the window starts).
   */
  static QuiescedSnapshot withDecidedStatus(QuiescedSnapshot basis, Decision decision) {
    if (decision.status() == null) {
      return basis;
    }
    QuiescedSnapshot copy = Serialization.clone(basis);
    QuiescedSnapshotStatus status = SnapshotStateMachine.operatorFields(decision.status());
    if (basis.getStatus() != null) {
      status.setFreeze(basis.getStatus().getFreeze());
    }
    copy.setStatus(status);
    return copy;
  }

  /** Labels every planned PVC for the group's selector (idempotent); no-op without a group. */
  void labelPvcs(QuiescedSnapshot basis, Decision decision) {
    planned(basis, decision)
        .ifPresent(
            group ->
                claims(decision.plan())
                    .forEach(
                        claim ->
                            patchLabel(
                                basis.getMetadata().getNamespace(),
                                claim,
                                GroupSnapshotRequests.labelValue(group))));
  }

  /**
   * Creates the planned group instead of per-volume VolumeSnapshots (no freeze needed).
   *
   * @return false when the decision plans no group
   */
  boolean createInstead(QuiescedSnapshot basis, Decision decision) {
    Optional<VolumeGroupSnapshotRecord> group = planned(basis, decision);
    if (group.isEmpty()) {
      return false;
    }
    labelPvcs(basis, decision);
    GroupSnapshotRequests.createOrReuse(client, withDecidedStatus(basis, decision), group.get());
    return true;
  }

  /** Labels {@code claims} for the group's selector (idempotent). */
  void labelClaims(String ns, VolumeGroupSnapshotRecord group, List<String> claims) {
    claims.forEach(claim -> patchLabel(ns, claim, GroupSnapshotRequests.labelValue(group)));
  }

  /**
   * Takes the group's label off the PVCs that still carry this group's value: the volumes of one VM
   * ({@code status.volumeSnapshots}) or of every VM of a consistency group ({@code
   * status.members[].volumeSnapshots}).
   */
  void unlabelPvcs(QuiescedSnapshot s) {
    Optional<VolumeGroupSnapshotRecord> group = GroupSnapshotRequests.planned(s);
    if (group.isEmpty()) {
      return;
    }
    List<VolumeSnapshotRecord> records = new java.util.ArrayList<>();
    if (s.getStatus().getVolumeSnapshots() != null) {
      records.addAll(s.getStatus().getVolumeSnapshots());
    }
    if (s.getStatus().getMembers() != null) {
      s.getStatus().getMembers().stream()
          .filter(m -> m.getVolumeSnapshots() != null)
          .forEach(m -> records.addAll(m.getVolumeSnapshots()));
    }
    unlabelClaims(s.getMetadata().getNamespace(), group.get(), claims(records));
  }

  /** Takes the group's label off those of {@code claims} that still carry this group's value. */
  void unlabelClaims(String ns, VolumeGroupSnapshotRecord group, List<String> claims) {
    String value = GroupSnapshotRequests.labelValue(group);
    for (String claim : claims) {
      var pvc = client.persistentVolumeClaims().inNamespace(ns).withName(claim).get();
      if (pvc != null
          && pvc.getMetadata().getLabels() != null
          && value.equals(
              pvc.getMetadata().getLabels().get(GroupSnapshotRequests.SELECTOR_LABEL))) {
        patchLabel(ns, claim, null);
      }
    }
  }

  /**
   * Applies the deletionPolicy to the group: Delete deletes it (its members go with it); under
   * Retain it was created without an ownerReference and is kept.
   *
   * @return whether a group was deleted
   */
  boolean onDeletion(QuiescedSnapshot owner) {
    unlabelPvcs(owner);
    Optional<VolumeGroupSnapshotRecord> group = GroupSnapshotRequests.planned(owner);
    if (group.isEmpty() || SnapshotSpecs.deletionPolicy(owner) != DeletionPolicy.Delete) {
      return false;
    }
    String version = VolumeGroupSnapshotApi.versionOf(group.get().getApiVersion());
    var live =
        VolumeGroupSnapshotApi.get(
            client, version, owner.getMetadata().getNamespace(), group.get().getName());
    if (live == null || !VolumeSnapshotOwnership.belongsTo(live.getMetadata(), owner)) {
      return false;
    }
    client
        .genericKubernetesResources(VolumeGroupSnapshotApi.groupSnapshots(version))
        .inNamespace(owner.getMetadata().getNamespace())
        .withName(group.get().getName())
        .delete();
    return true;
  }

  private void patchLabel(String ns, String claim, String value) {
    com.fasterxml.jackson.databind.node.ObjectNode patch =
        Serialization.jsonMapper().createObjectNode();
    // a null value removes the label (JSON merge patch)
    patch
        .putObject("metadata")
        .putObject("labels")
        .put(GroupSnapshotRequests.SELECTOR_LABEL, value);
    try {
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .withName(claim)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private static List<String> claims(List<VolumeSnapshotRecord> records) {
    return records.stream()
        .map(VolumeSnapshotRecord::getPersistentVolumeClaim)
        .filter(Objects::nonNull)
        .distinct()
        .toList();
  }
}
