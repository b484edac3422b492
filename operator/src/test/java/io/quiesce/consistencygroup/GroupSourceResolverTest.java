package io.quiesce.consistencygroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupSourceResolverTest {
  private static final String NS = "shop";

  private final Map<String, VirtualMachineInstance> vmis = new HashMap<>();

  private VirtualMachine add(VmScenario s, Map<String, String> labels) {
    s.vmi().ifPresent(i -> vmis.put(s.vm().getMetadata().getName(), i));
    s.vm().getMetadata().setLabels(labels);
    return s.vm();
  }

  private static SnapshotSources names(String... vms) {
    SnapshotSources s = new SnapshotSources();
    s.setVms(List.of(vms));
    return s;
  }

  private GroupSourceResolver.Resolution resolve(
      SnapshotSources sources, QuiesceMode mode, List<VirtualMachine> vms) {
    return GroupSourceResolver.resolve(
        NS, sources, mode, vms, name -> Optional.ofNullable(vmis.get(name)));
  }

  @Test
  void namedRunningVmsAreTheGroupInTheGivenOrderWithTheirNodes() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "db").build(), null),
            add(Fixtures.runningVm(NS, "app").onNode("node02").build(), null));

    GroupSourceResolver.Resolution r = resolve(names("app", "db"), QuiesceMode.Required, vms);

    assertThat(r.ok()).isTrue();
    assertThat(r.running())
        .extracting(GroupSourceResolver.Running::name)
        .containsExactly("app", "db");
    assertThat(r.running())
        .extracting(GroupSourceResolver.Running::node)
        .containsExactly("node02", Fixtures.DEFAULT_NODE);
    assertThat(r.leftOut()).isEmpty();
  }

  @Test
  void requiredFailsNamingTheMissingAndTheStoppedVm() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "app").build(), null),
            add(Fixtures.runningVm(NS, "batch").stopped().build(), null));

    GroupSourceResolver.Resolution r =
        resolve(names("app", "gone", "batch"), QuiesceMode.Required, vms);

    assertThat(r.ok()).isFalse();
    assertThat(r.failureReason()).isEqualTo("SourceNotFound");
    assertThat(r.failureMessage())
        .contains("VirtualMachine shop/gone not found")
        .contains("VirtualMachine shop/batch is stopped")
        .contains("mode Required")
        .contains("Nothing was frozen or cut");
  }

  @Test
  void bestEffortRecordsTheVmsLeftOutAndGoesOnWithTheOthers() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "app").build(), null),
            add(Fixtures.runningVm(NS, "batch").stopped().build(), null));

    GroupSourceResolver.Resolution r =
        resolve(names("app", "gone", "batch"), QuiesceMode.BestEffort, vms);

    assertThat(r.ok()).isTrue();
    assertThat(r.running()).extracting(GroupSourceResolver.Running::name).containsExactly("app");
    assertThat(r.leftOut())
        .extracting(GroupSourceResolver.LeftOut::vm, GroupSourceResolver.LeftOut::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("gone", "SourceNotFound"),
            org.assertj.core.groups.Tuple.tuple("batch", "VirtualMachineStopped"));
  }

  @Test
  void bestEffortWithNoRunningVmFails() {
    List<VirtualMachine> vms =
        List.of(add(Fixtures.runningVm(NS, "batch").stopped().build(), null));

    GroupSourceResolver.Resolution r = resolve(names("batch", "gone"), QuiesceMode.BestEffort, vms);

    assertThat(r.ok()).isFalse();
    assertThat(r.failureMessage()).contains("no VM of the group runs");
  }

  @Test
  void aSelectorTakesTheMatchingVmsByNameAndRefusesNoneOrTooMany() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "web").build(), Map.of("app", "shop")),
            add(Fixtures.runningVm(NS, "db").build(), Map.of("app", "shop")),
            add(Fixtures.runningVm(NS, "other").build(), Map.of("app", "blog")));
    SnapshotSources shop = new SnapshotSources();
    shop.setVmSelector(new LabelSelector(null, Map.of("app", "shop")));

    GroupSourceResolver.Resolution r = resolve(shop, QuiesceMode.Required, vms);

    assertThat(r.running())
        .extracting(GroupSourceResolver.Running::name)
        .containsExactly("db", "web");

    SnapshotSources none = new SnapshotSources();
    none.setVmSelector(new LabelSelector(null, Map.of("app", "nothing")));
    assertThat(resolve(none, QuiesceMode.BestEffort, vms).failureReason())
        .isEqualTo("SourceNotFound");

    List<VirtualMachine> many = new java.util.ArrayList<>();
    for (int i = 0; i < SnapshotSources.MAX_VMS + 1; i++) {
      many.add(add(Fixtures.runningVm(NS, "vm" + i).build(), Map.of("app", "shop")));
    }
    GroupSourceResolver.Resolution tooMany = resolve(shop, QuiesceMode.Required, many);
    assertThat(tooMany.failureReason()).isEqualTo("InvalidSpec");
    assertThat(tooMany.failureMessage()).contains("selects 17").contains("at most 16");
  }

  @Test
  void aMigratingVmOrOneNotOnANodeYetMakesTheGroupWait() {
    List<VirtualMachine> vms =
        List.of(
            add(Fixtures.runningVm(NS, "app").build(), null),
            add(Fixtures.runningVm(NS, "db").migratingTo("node02").build(), null));

    GroupSourceResolver.Resolution r = resolve(names("app", "db"), QuiesceMode.Required, vms);

    assertThat(r.ok()).isFalse();
    assertThat(r.failureReason()).isNull();
    assertThat(r.waitReason()).isEqualTo("Migrating");
    assertThat(r.waitMessage()).contains("shop/db");
  }
}
