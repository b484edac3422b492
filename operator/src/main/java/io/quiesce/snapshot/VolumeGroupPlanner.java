package io.quiesce.snapshot;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.snapshot.GroupObservation.GroupClassInfo;
import io.quiesce.status.Reason;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides, from {@code spec.volumeGroup}, whether a VM's disks are cut as one VolumeGroupSnapshot:
 * only when the cluster serves the group API and every PVC belongs to one CSI driver with a group
 * class (its default, else its only class). {@code Auto} falls back to one VolumeSnapshot per
 * volume and says why; {@code Required} fails instead; {@code Never} never asks.
 */
final class VolumeGroupPlanner {
  private VolumeGroupPlanner() {}

  /**
   * A group to plan, one VolumeSnapshot per volume (with a note saying why when a group was
   * wanted), or a failure reason and message.
   */
  record Choice(
      VolumeGroupSnapshotRecord group, String note, String failureReason, String failureMessage) {
    boolean ok() {
      return failureReason == null;
    }

    static Choice perVolume(String note) {
      return new Choice(null, note, null, null);
    }
  }

  static VolumeGroupMode mode(QuiescedSnapshot s) {
    VolumeGroupMode mode = SnapshotSpecs.spec(s).getVolumeGroup();
    return mode == null ? VolumeGroupMode.Auto : mode;
  }

  /**
   * @param claims the PVCs of the disks to snapshot
   * @param drivers the CSI driver of each existing PVC (empty when none); a claim missing here does
   *     not exist
   */
  static Choice choose(
      QuiescedSnapshot s,
      List<String> claims,
      Map<String, Optional<String>> drivers,
      GroupObservation groups) {
    return choose(s, claims, drivers, groups, "the VM's PVCs", claim -> "");
  }

  /**
   * As for one VM, over the PVCs of every VM of a consistency group: one group for all of them, or
   * none.
   *
   * @param whose the words that say whose a claim is, e.g. " of VirtualMachine db" (a message that
   *     names a PVC names its VM)
   */
  static Choice chooseForGroup(
      QuiescedSnapshot s,
      List<String> claims,
      Map<String, Optional<String>> drivers,
      GroupObservation groups,
      Function<String, String> whose) {
    if (claims.isEmpty()) {
      return Choice.perVolume(null); // no running VM has a disk: there is nothing to group
    }
    return choose(s, claims, drivers, groups, "the group's PVCs", whose);
  }

  private static Choice choose(
      QuiescedSnapshot s,
      List<String> claims,
      Map<String, Optional<String>> drivers,
      GroupObservation groups,
      String subject,
      Function<String, String> whose) {
    VolumeGroupMode mode = mode(s);
    if (mode == VolumeGroupMode.Never) {
      return Choice.perVolume(null);
    }
    if (claims.stream().anyMatch(c -> drivers.get(c) == null)) {
      return Choice.perVolume(null); // a PVC is missing: the snapshot fails on it, group or not
    }
    if (groups.servedVersion().isEmpty()) {
      return unfit(
          mode,
          Reason.VOLUME_GROUP_SNAPSHOT_NOT_SERVED.wire(),
          "the cluster serves no "
              + VolumeGroupSnapshotApi.GROUP
              + " API (v1, v1beta2 or v1beta1): install the group snapshot CRDs and controller of"
              + " external-snapshotter",
          false);
    }
    Set<String> driverNames = new LinkedHashSet<>();
    String spoiler = null; // the first claim whose driver is not the first claim's
    for (String claim : claims) {
      Optional<String> driver = drivers.get(claim);
      if (driver.isEmpty()) {
        return unfit(
            mode,
            Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire(),
            "PersistentVolumeClaim "
                + claim
                + whose.apply(claim)
                + " is not provisioned by a CSI driver",
            true);
      }
      if (driverNames.add(driver.get()) && driverNames.size() == 2) {
        spoiler = claim;
      }
    }
    if (driverNames.size() > 1) {
      String first = driverNames.iterator().next();
      return unfit(
          mode,
          Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire(),
          subject
              + " belong to "
              + driverNames.size()
              + " CSI drivers "
              + driverNames
              + (whose.apply(spoiler).isEmpty()
                  ? ""
                  : " (PersistentVolumeClaim "
                      + spoiler
                      + whose.apply(spoiler)
                      + " belongs to "
                      + drivers.get(spoiler).get()
                      + ", "
                      + claims.stream()
                          .filter(c -> drivers.get(c).get().equals(first))
                          .findFirst()
                          .map(c -> "PersistentVolumeClaim " + c + whose.apply(c))
                          .orElse("")
                      + " to "
                      + first
                      + ")")
              + "; a VolumeGroupSnapshot takes the volumes of one driver",
          true);
    }
    String driver = driverNames.iterator().next();
    List<GroupClassInfo> ofDriver =
        groups.classes().stream().filter(c -> driver.equals(c.driver())).toList();
    List<GroupClassInfo> defaults = ofDriver.stream().filter(GroupClassInfo::isDefault).toList();
    List<GroupClassInfo> usable = defaults.isEmpty() ? ofDriver : defaults;
    if (usable.size() != 1) {
      return unfit(
          mode,
          Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire(),
          usable.isEmpty()
              ? "no VolumeGroupSnapshotClass for CSI driver " + driver
              : "CSI driver "
                  + driver
                  + " has "
                  + usable.size()
                  + (defaults.isEmpty() ? "" : " default")
                  + " VolumeGroupSnapshotClasses "
                  + usable.stream().map(GroupClassInfo::name).sorted().toList()
                  + "; mark one with "
                  + io.quiesce.kube.csi.VolumeGroupSnapshotClass.IS_DEFAULT_CLASS_ANNOTATION
                  + "=\"true\"",
          true);
    }
    String name = GroupSnapshotRequests.name(s.getMetadata().getName());
    VolumeGroupSnapshotRecord group = new VolumeGroupSnapshotRecord();
    group.setName(name);
    group.setApiVersion(VolumeGroupSnapshotApi.apiVersion(groups.servedVersion().get()));
    group.setVolumeGroupSnapshotClassName(usable.get(0).name());
    group.setSelectorLabel(GroupSnapshotRequests.selectorLabel(name));
    return new Choice(group, null, null, null);
  }

  /**
   * Required fails; Auto snapshots per volume, saying why when the cluster has the group API at
   * all.
   */
  private static Choice unfit(
      VolumeGroupMode mode, String reason, String why, boolean tellUnderAuto) {
    if (mode == VolumeGroupMode.Required) {
      return new Choice(
          null,
          null,
          reason,
          "spec.volumeGroup is Required, but "
              + why
              + "; set spec.volumeGroup to Auto or Never to take one VolumeSnapshot per volume");
    }
    return Choice.perVolume(
        tellUnderAuto
            ? why + "; one VolumeSnapshot per volume instead (spec.volumeGroup Auto)"
            : null);
  }
}
