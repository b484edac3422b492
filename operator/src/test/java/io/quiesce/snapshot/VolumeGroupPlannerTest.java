package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.snapshot.GroupObservation.GroupClassInfo;
import io.quiesce.status.Reason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * spec.volumeGroup: when a VM's disks become one VolumeGroupSnapshot, when not, and when that
 * fails.
 */
class VolumeGroupPlannerTest {
  private static final String DRIVER = "hostpath.csi.k8s.io";
  private static final List<String> CLAIMS = List.of("db-a", "db-b", "db-c");
  private static final Map<String, Optional<String>> ONE_DRIVER =
      Map.of("db-a", Optional.of(DRIVER), "db-b", Optional.of(DRIVER), "db-c", Optional.of(DRIVER));
  private static final GroupObservation SERVED_WITH_CLASS =
      new GroupObservation(
          Optional.of("v1beta2"),
          List.of(
              new GroupClassInfo("group-class", DRIVER, false),
              new GroupClassInfo("other-driver-class", "rbd.csi.ceph.com", true)),
          Optional.empty());

  @ParameterizedTest
  @EnumSource(
      value = VolumeGroupMode.class,
      names = {"Auto", "Required"})
  void theDriversOnlyClassGroupsEveryDiskInTheServedVersion(VolumeGroupMode mode) {
    VolumeGroupPlanner.Choice choice =
        VolumeGroupPlanner.choose(snapshot(mode), CLAIMS, ONE_DRIVER, SERVED_WITH_CLASS);

    assertThat(choice.ok()).isTrue();
    assertThat(choice.group().getName()).isEqualTo("snap--group");
    assertThat(choice.group().getApiVersion()).isEqualTo("groupsnapshot.storage.k8s.io/v1beta2");
    assertThat(choice.group().getVolumeGroupSnapshotClassName()).isEqualTo("group-class");
    assertThat(choice.group().getSelectorLabel()).isEqualTo("quiesce.io/volume-group=snap--group");
  }

  @Test
  void autoIsTheDefault() {
    QuiescedSnapshot s = snapshot(null);

    assertThat(VolumeGroupPlanner.choose(s, CLAIMS, ONE_DRIVER, SERVED_WITH_CLASS).group())
        .isNotNull();
  }

  @Test
  void theDefaultClassWinsOverOthersOfTheDriver() {
    GroupObservation two =
        new GroupObservation(
            Optional.of("v1"),
            List.of(new GroupClassInfo("a", DRIVER, false), new GroupClassInfo("b", DRIVER, true)),
            Optional.empty());

    assertThat(
            VolumeGroupPlanner.choose(snapshot(VolumeGroupMode.Auto), CLAIMS, ONE_DRIVER, two)
                .group()
                .getVolumeGroupSnapshotClassName())
        .isEqualTo("b");
  }

  @Test
  void neverAsksForAGroup() {
    VolumeGroupPlanner.Choice choice =
        VolumeGroupPlanner.choose(
            snapshot(VolumeGroupMode.Never), CLAIMS, ONE_DRIVER, SERVED_WITH_CLASS);

    assertThat(choice.ok()).isTrue();
    assertThat(choice.group()).isNull();
    assertThat(choice.note()).isNull();
  }

  @Test
  void withoutTheApiAutoSnapshotsPerVolumeQuietlyAndRequiredFailsSayingWhatToInstall() {
    VolumeGroupPlanner.Choice auto =
        VolumeGroupPlanner.choose(
            snapshot(VolumeGroupMode.Auto), CLAIMS, ONE_DRIVER, GroupObservation.NONE);
    VolumeGroupPlanner.Choice required =
        VolumeGroupPlanner.choose(
            snapshot(VolumeGroupMode.Required), CLAIMS, ONE_DRIVER, GroupObservation.NONE);

    assertThat(auto.ok()).isTrue();
    assertThat(auto.group()).isNull();
    assertThat(auto.note()).isNull();
    assertThat(required.failureReason()).isEqualTo(Reason.VOLUME_GROUP_SNAPSHOT_NOT_SERVED.wire());
    assertThat(required.failureMessage())
        .contains("groupsnapshot.storage.k8s.io", "external-snapshotter");
  }

  @Test
  void noClassForTheDriverFallsBackUnderAutoWithANoteAndFailsUnderRequired() {
    GroupObservation otherDriverOnly =
        new GroupObservation(
            Optional.of("v1"),
            List.of(new GroupClassInfo("ceph", "rbd.csi.ceph.com", true)),
            Optional.empty());

    VolumeGroupPlanner.Choice auto =
        VolumeGroupPlanner.choose(
            snapshot(VolumeGroupMode.Auto), CLAIMS, ONE_DRIVER, otherDriverOnly);
    VolumeGroupPlanner.Choice required =
        VolumeGroupPlanner.choose(
            snapshot(VolumeGroupMode.Required), CLAIMS, ONE_DRIVER, otherDriverOnly);

    assertThat(auto.group()).isNull();
    assertThat(auto.note()).contains("no VolumeGroupSnapshotClass for CSI driver " + DRIVER);
    assertThat(required.failureReason()).isEqualTo(Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire());
    assertThat(required.failureMessage()).contains("spec.volumeGroup is Required", DRIVER);
  }

  @Test
  void disksOfTwoDriversCannotBeOneGroup() {
    Map<String, Optional<String>> mixed =
        Map.of(
            "db-a",
            Optional.of(DRIVER),
            "db-b",
            Optional.of("rbd.csi.ceph.com"),
            "db-c",
            Optional.of(DRIVER));

    VolumeGroupPlanner.Choice required =
        VolumeGroupPlanner.choose(
            snapshot(VolumeGroupMode.Required), CLAIMS, mixed, SERVED_WITH_CLASS);

    assertThat(required.failureReason()).isEqualTo(Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire());
    assertThat(required.failureMessage()).contains("2 CSI drivers");
  }

  @Test
  void aGroupOfVmsNamesTheVmWhosePvcIsOfAnotherDriver() {
    Map<String, Optional<String>> mixed =
        Map.of(
            "db-a",
            Optional.of(DRIVER),
            "db-b",
            Optional.of("rbd.csi.ceph.com"),
            "db-c",
            Optional.of(DRIVER));
    Map<String, String> vmOf = Map.of("db-a", "app", "db-b", "db", "db-c", "db");

    VolumeGroupPlanner.Choice required =
        VolumeGroupPlanner.chooseForGroup(
            snapshot(VolumeGroupMode.Required),
            CLAIMS,
            mixed,
            SERVED_WITH_CLASS,
            claim -> " of VirtualMachine " + vmOf.get(claim));
    VolumeGroupPlanner.Choice oneVm =
        VolumeGroupPlanner.choose(
            snapshot(VolumeGroupMode.Required), CLAIMS, mixed, SERVED_WITH_CLASS);

    assertThat(required.failureReason()).isEqualTo(Reason.NO_VOLUME_GROUP_SNAPSHOT_CLASS.wire());
    assertThat(required.failureMessage())
        .contains(
            "the group's PVCs belong to 2 CSI drivers",
            "PersistentVolumeClaim db-b of VirtualMachine db belongs to rbd.csi.ceph.com",
            "PersistentVolumeClaim db-a of VirtualMachine app to " + DRIVER);
    assertThat(oneVm.failureMessage())
        .contains("the VM's PVCs belong to 2 CSI drivers")
        .doesNotContain("VirtualMachine");
  }

  @Test
  void aGroupWhoseRunningVmsHaveNoDiskIsNoVolumeGroup() {
    VolumeGroupPlanner.Choice choice =
        VolumeGroupPlanner.chooseForGroup(
            snapshot(VolumeGroupMode.Required),
            List.of(),
            Map.of(),
            SERVED_WITH_CLASS,
            claim -> "");

    assertThat(choice.ok()).isTrue();
    assertThat(choice.group()).isNull();
  }

  @Test
  void twoNonDefaultClassesAreAmbiguous() {
    GroupObservation two =
        new GroupObservation(
            Optional.of("v1"),
            List.of(new GroupClassInfo("a", DRIVER, false), new GroupClassInfo("b", DRIVER, false)),
            Optional.empty());

    assertThat(
            VolumeGroupPlanner.choose(snapshot(VolumeGroupMode.Required), CLAIMS, ONE_DRIVER, two)
                .failureMessage())
        .contains("[a, b]", "is-default-class");
  }

  private static QuiescedSnapshot snapshot(VolumeGroupMode mode) {
    QuiescedSnapshot s =
        SnapshotTestSupport.snapshot("ns", "snap", "db", QuiesceMode.Required, "1m");
    s.getSpec().setVolumeGroup(mode);
    return s;
  }
}
