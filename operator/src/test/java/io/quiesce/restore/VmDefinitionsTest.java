package io.quiesce.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VmDefinition;
import io.quiesce.kube.kubevirt.VirtualMachine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a snapshot keeps of its VM for a restore: spec, labels, annotations, no runtime fields,
 * bounded.
 */
class VmDefinitionsTest {

  private static VirtualMachine upstreamVm() {
    VirtualMachine vm =
        Serialization.unmarshal(
            VmDefinitionsTest.class.getResourceAsStream(
                "/testkit/examples/kubevirt/vm-alpine-datavolume.yaml"),
            VirtualMachine.class);
    vm.getMetadata().setUid("0d5c6f4e-1111-2222-3333-444455556666");
    vm.getMetadata().setResourceVersion("4711");
    Map<String, String> annotations = new HashMap<>();
    annotations.put("kubectl.kubernetes.io/last-applied-configuration", "{\"a\":1}");
    annotations.put("kubevirt.io/latest-observed-api-version", "v1");
    annotations.put("kubevirt.io/storage-observed-api-version", "v1");
    annotations.put("team", "storage");
    vm.getMetadata().setAnnotations(annotations);
    return vm;
  }

  @Test
  void keepsSpecLabelsAndUserAnnotationsOnly() {
    VmDefinition definition = VmDefinitions.capture(upstreamVm());
    assertThat(definition.getOmittedReason()).isNull();
    assertThat(definition.getSpec().at("/template/spec/volumes/0/dataVolume/name").asText())
        .isEqualTo("alpine-dv");
    assertThat(definition.getSpec().at("/dataVolumeTemplates/0/metadata/name").asText())
        .isEqualTo("alpine-dv");
    assertThat(definition.getSpec().path("runStrategy").asText()).isEqualTo("Halted");
    assertThat(definition.getLabels()).containsEntry("kubevirt.io/vm", "vm-alpine-datavolume");
    assertThat(definition.getAnnotations()).containsOnlyKeys("team");
    // the upstream example, measured: well under the bound
    assertThat(definition.getSizeBytes()).isBetween(400L, 2048L);
  }

  @Test
  void aDefinitionAboveTheBoundKeepsOnlyWhy() {
    VmDefinition definition = VmDefinitions.capture(upstreamVm(), 300);
    assertThat(definition.getSpec()).isNull();
    assertThat(definition.getLabels()).isNull();
    assertThat(definition.getSizeBytes()).isGreaterThan(300L);
    assertThat(definition.getOmittedReason()).contains("above the bound of 300 bytes");
  }

  @Test
  void capturedOnlyByTheWriteThatStartsTheSnapshot() {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    QuiescedSnapshotStatus stillPending = status(SnapshotPhase.Pending);
    VmDefinitions.captureAtStart(snapshot, Optional.of(upstreamVm()), stillPending);
    assertThat(stillPending.getVmDefinition()).isNull();

    QuiescedSnapshotStatus starting = status(SnapshotPhase.InProgress);
    VmDefinitions.captureAtStart(snapshot, Optional.of(upstreamVm()), starting);
    assertThat(starting.getVmDefinition()).isNotNull();

    snapshot.setStatus(starting);
    QuiescedSnapshotStatus later = status(SnapshotPhase.Succeeded);
    VmDefinitions.captureAtStart(snapshot, Optional.of(upstreamVm()), later);
    assertThat(later.getVmDefinition())
        .as("an InProgress snapshot's later write leaves it as stored")
        .isNull();

    QuiescedSnapshotStatus noVm = status(SnapshotPhase.Failed);
    VmDefinitions.captureAtStart(new QuiescedSnapshot(), Optional.empty(), noVm);
    assertThat(noVm.getVmDefinition()).isNull();
  }

  @Test
  void groupMembersGetTheirOwnVmsDefinitionWithinHalfTheBound() {
    GroupMember running = new GroupMember();
    running.setVm("db");
    GroupMember leftOut = new GroupMember();
    leftOut.setVm("gone");
    leftOut.setFrozen(false);

    List<GroupMember> members =
        VmDefinitions.withDefinitions(List.of(running, leftOut), Map.of("db", upstreamVm()));

    assertThat(members.get(0).getVmDefinition().getSpec())
        .isEqualTo(VmDefinitions.capture(upstreamVm()).getSpec());
    assertThat(members.get(1).getVmDefinition()).as("a member left out has no VM").isNull();
    assertThat(running.getVmDefinition()).as("the planned member is not changed").isNull();

    VirtualMachine big = upstreamVm();
    big.getMetadata().getAnnotations().put("big", "x".repeat(VmDefinition.MAX_BYTES / 2));
    VmDefinition omitted =
        VmDefinitions.withDefinitions(List.of(running), Map.of("db", big)).get(0).getVmDefinition();
    assertThat(omitted.getSpec()).as("above half the bound of one VM").isNull();
    assertThat(omitted.getOmittedReason()).contains(String.valueOf(VmDefinition.MAX_BYTES / 2));
  }

  private static QuiescedSnapshotStatus status(SnapshotPhase phase) {
    QuiescedSnapshotStatus s = new QuiescedSnapshotStatus();
    s.setPhase(phase);
    return s;
  }
}
