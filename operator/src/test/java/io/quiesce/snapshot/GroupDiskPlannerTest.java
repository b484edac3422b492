package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.consistencygroup.GroupSourceResolver;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupDiskPlannerTest {
  private static final String NS = "shop";
  private static final List<ClassInfo> CLASSES =
      List.of(new ClassInfo(Fixtures.SNAPSHOT_CLASS, Fixtures.CSI_DRIVER, true));

  private final Map<String, VirtualMachineInstance> vmis = new HashMap<>();
  private final Map<String, Optional<String>> drivers = new HashMap<>();

  private VirtualMachine add(VmScenario s) {
    s.vmi().ifPresent(i -> vmis.put(s.vm().getMetadata().getName(), i));
    s.claimNames().forEach(c -> drivers.put(c, Optional.of(Fixtures.CSI_DRIVER)));
    return s.vm();
  }

  private GroupSourceResolver.Resolution group(
      QuiesceMode mode, List<VirtualMachine> vms, String... names) {
    SnapshotSources sources = new SnapshotSources();
    sources.setVms(List.of(names));
    return GroupSourceResolver.resolve(
        NS, sources, mode, vms, n -> Optional.ofNullable(vmis.get(n)));
  }

  private static QuiescedSnapshot snapshot() {
    QuiescedSnapshot s = Fixtures.requiredSnapshot(NS, "nightly", "app", "5s");
    s.getSpec().setSource(null);
    return s;
  }

  @Test
  void twoVmsWithTheSameVolumeNamesGetOneEntryPerVmAndDistinctVolumeSnapshots() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "app").build()), add(Fixtures.runningVm(NS, "db").build()));

    GroupDiskPlanner.Plan plan =
        GroupDiskPlanner.plan(
            snapshot(), group(QuiesceMode.Required, vms, "app", "db"), drivers, CLASSES);

    assertThat(plan.ok()).isTrue();
    assertThat(plan.members()).extracting(GroupMember::getVm).containsExactly("app", "db");
    List<String> appVolumes =
        plan.members().get(0).getVolumeSnapshots().stream()
            .map(VolumeSnapshotRecord::getVolume)
            .toList();
    List<String> dbVolumes =
        plan.members().get(1).getVolumeSnapshots().stream()
            .map(VolumeSnapshotRecord::getVolume)
            .toList();
    assertThat(appVolumes)
        .as("the same volume names in both VMs")
        .isEqualTo(dbVolumes)
        .isNotEmpty();
    List<VolumeSnapshotRecord> all = GroupDiskPlanner.allDisks(plan.members());
    assertThat(
            new HashSet<>(all.stream().map(VolumeSnapshotRecord::getVolumeSnapshotName).toList()))
        .as("one VolumeSnapshot name per VM and volume")
        .hasSize(all.size());
    assertThat(all)
        .allSatisfy(
            r -> {
              assertThat(r.getVolumeSnapshotName())
                  .startsWith("nightly--")
                  .hasSizeLessThanOrEqualTo(63);
              assertThat(r.getVolumeSnapshotClassName()).isEqualTo(Fixtures.SNAPSHOT_CLASS);
            });
    assertThat(plan.members().get(0).getVolumeSnapshots())
        .extracting(VolumeSnapshotRecord::getPersistentVolumeClaim)
        .allMatch(c -> c.startsWith("app"));
    assertThat(plan.members()).allSatisfy(m -> assertThat(m.getFreeze()).isNull());
  }

  @Test
  void aMissingClaimFailsNamingTheVm() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "app").build()), add(Fixtures.runningVm(NS, "db").build()));
    drivers.keySet().removeIf(c -> c.startsWith("db"));

    GroupDiskPlanner.Plan plan =
        GroupDiskPlanner.plan(
            snapshot(), group(QuiesceMode.Required, vms, "app", "db"), drivers, CLASSES);

    assertThat(plan.ok()).isFalse();
    assertThat(plan.failureReason()).isEqualTo("PersistentVolumeClaimNotFound");
    assertThat(plan.failureMessage()).contains("of VirtualMachine db");
  }

  @Test
  void aVmLeftOutUnderBestEffortIsAMemberWithoutDisksThatSaysWhy() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "app").build()),
            add(Fixtures.runningVm(NS, "batch").stopped().build()));

    GroupDiskPlanner.Plan plan =
        GroupDiskPlanner.plan(
            snapshot(), group(QuiesceMode.BestEffort, vms, "app", "batch"), drivers, CLASSES);

    assertThat(plan.ok()).isTrue();
    GroupMember batch = plan.members().get(1);
    assertThat(batch.getVm()).isEqualTo("batch");
    assertThat(batch.getFrozen()).isFalse();
    assertThat(batch.getVolumeSnapshots()).isNull();
    assertThat(batch.getFreeze().getReason()).isEqualTo("VirtualMachineStopped");
    assertThat(batch.getFreeze().getError()).contains("shop/batch is stopped");
    assertThat(GroupDiskPlanner.allDisks(plan.members()))
        .allMatch(r -> r.getPersistentVolumeClaim().startsWith("app"));
  }
}
