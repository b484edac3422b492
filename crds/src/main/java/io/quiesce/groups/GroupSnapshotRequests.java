package io.quiesce.groups;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeGroupSnapshotSource;
import io.quiesce.kube.csi.VolumeGroupSnapshotSpec;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import io.quiesce.naming.VolumeSnapshotOwnership;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.Optional;

/**
 * The VolumeGroupSnapshot planned in {@code status.volumeGroupSnapshot}: built with the same
 * provenance and ownership as Quiesce's VolumeSnapshots, selecting the PVCs that carry the
 * snapshot's selector label, and created idempotently (an existing one of ours is reused).
 */
public final class GroupSnapshotRequests {
  /**
   * Label put on the VM's PVCs while their group snapshot is taken; the group's selector matches
   * it.
   */
  public static final String SELECTOR_LABEL = Provenance.PREFIX + "volume-group";

  private GroupSnapshotRequests() {}

  /**
   * The group snapshot's name for a QuiescedSnapshot (deterministic: a retry finds the same one).
   */
  public static String name(String quiescedSnapshot) {
    return ChildNames.volumeSnapshot(quiescedSnapshot, "group");
  }

  /** {@code key=value} of the PVC label for this group. */
  public static String selectorLabel(String groupName) {
    return SELECTOR_LABEL + "=" + ChildNames.labelValue(groupName);
  }

  /** The value part of {@link VolumeGroupSnapshotRecord#getSelectorLabel()}. */
  public static String labelValue(VolumeGroupSnapshotRecord group) {
    String label = group.getSelectorLabel();
    return label.substring(label.indexOf('=') + 1);
  }

  /** The group planned for {@code owner}, or empty when its volumes are snapshotted one by one. */
  public static Optional<VolumeGroupSnapshotRecord> planned(QuiescedSnapshot owner) {
    return Optional.ofNullable(
        owner.getStatus() == null ? null : owner.getStatus().getVolumeGroupSnapshot());
  }

  /** The object to create. */
  public static VolumeGroupSnapshot build(QuiescedSnapshot owner, VolumeGroupSnapshotRecord group) {
    VolumeGroupSnapshot vgs = new VolumeGroupSnapshot();
    vgs.setApiVersion(group.getApiVersion());
    vgs.getMetadata().setName(group.getName());
    vgs.getMetadata().setNamespace(owner.getMetadata().getNamespace());
    DeletionPolicy policy =
        owner.getSpec().getDeletionPolicy() == null
            ? DeletionPolicy.Delete
            : owner.getSpec().getDeletionPolicy();
    VolumeSnapshotOwnership.stamp(vgs.getMetadata(), owner, policy);
    VolumeGroupSnapshotSource source = new VolumeGroupSnapshotSource();
    source.setSelector(
        new LabelSelectorBuilder()
            .withMatchLabels(Map.of(SELECTOR_LABEL, labelValue(group)))
            .build());
    VolumeGroupSnapshotSpec spec = new VolumeGroupSnapshotSpec();
    spec.setSource(source);
    spec.setVolumeGroupSnapshotClassName(group.getVolumeGroupSnapshotClassName());
    vgs.setSpec(spec);
    return vgs;
  }

  /** A group snapshot of that name exists and is not this QuiescedSnapshot's. */
  public static final class NotOursException extends RuntimeException {
    NotOursException(String message) {
      super(message);
    }
  }

  /**
   * Creates the planned group snapshot unless it exists with this owner already.
   *
   * @return the stored object
   * @throws NotOursException when the name is taken by an object that is not ours
   */
  public static VolumeGroupSnapshot createOrReuse(
      KubernetesClient client, QuiescedSnapshot owner, VolumeGroupSnapshotRecord group) {
    String version = VolumeGroupSnapshotApi.versionOf(group.getApiVersion());
    try {
      return VolumeGroupSnapshotApi.create(client, version, build(owner, group));
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
    VolumeGroupSnapshot live =
        VolumeGroupSnapshotApi.get(
            client, version, owner.getMetadata().getNamespace(), group.getName());
    if (live == null || !VolumeSnapshotOwnership.belongsTo(live.getMetadata(), owner)) {
      throw new NotOursException(
          "VolumeGroupSnapshot "
              + owner.getMetadata().getNamespace()
              + "/"
              + group.getName()
              + " already exists and does not belong to this QuiescedSnapshot");
    }
    return live;
  }

  /** Whether {@code vs} is a member of the group snapshot named {@code groupName}. */
  public static boolean isMember(VolumeSnapshot vs, String groupName) {
    if (vs.getStatus() != null && groupName.equals(vs.getStatus().getVolumeGroupSnapshotName())) {
      return true;
    }
    return vs.getMetadata().getOwnerReferences() != null
        && vs.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                ref ->
                    VolumeGroupSnapshotApi.KIND.equals(ref.getKind())
                        && groupName.equals(ref.getName()));
  }
}
