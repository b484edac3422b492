package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Follows a planned group snapshot in a status being decided: copies the group's progress into
 * {@code volumeGroupSnapshot}, and names each volume's member VolumeSnapshot (the group controller
 * names them; a member's {@code spec.source.persistentVolumeClaimName} says whose disk it is).
 */
final class GroupMembers {
  private GroupMembers() {}

  static void follow(QuiescedSnapshotStatus next, Observation o) {
    VolumeGroupSnapshotRecord planned = next.getVolumeGroupSnapshot();
    if (planned == null) {
      return;
    }
    Optional<VolumeGroupSnapshot> live = o.groups().groupSnapshot();
    VolumeGroupSnapshotRecord followed = planned.copy();
    live.map(VolumeGroupSnapshot::getStatus)
        .ifPresent(
            st -> {
              followed.setCreationTime(st.getCreationTime());
              followed.setReadyToUse(st.getReadyToUse());
              followed.setError(
                  st.getError() == null
                      ? null
                      : Objects.requireNonNullElse(st.getError().getMessage(), "unknown error"));
            });
    next.setVolumeGroupSnapshot(followed);
    if (next.getVolumeSnapshots() == null) {
      return;
    }
    List<VolumeSnapshotRecord> named = new ArrayList<>();
    for (VolumeSnapshotRecord r : next.getVolumeSnapshots()) {
      if (r.getVolumeSnapshotName() == null) {
        memberOf(o, planned.getName(), r.getPersistentVolumeClaim())
            .ifPresent(m -> r.setVolumeSnapshotName(m.getMetadata().getName()));
      }
      named.add(r);
    }
    next.setVolumeSnapshots(named);
  }

  static Optional<VolumeSnapshot> memberOf(Observation o, String group, String claim) {
    return o.volumeSnapshots().values().stream()
        .filter(vs -> GroupSnapshotRequests.isMember(vs, group))
        .filter(
            vs ->
                vs.getSpec() != null
                    && vs.getSpec().getSource() != null
                    && Objects.equals(
                        claim, vs.getSpec().getSource().getPersistentVolumeClaimName()))
        .findFirst();
  }
}
