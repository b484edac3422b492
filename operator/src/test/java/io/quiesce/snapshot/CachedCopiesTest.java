package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.kubevirt.PersistentVolumeClaimVolumeSource;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.kube.kubevirt.VolumeStatus;
import io.quiesce.restore.VmDefinitions;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The informers' trimmed copies ({@link CachedCopies}) answer every reader of the cache as the
 * objects read from the API do, and are smaller: real KubeVirt and CSI shapes from the test kit's
 * fixtures, with the undeclared fields the readers look up by name.
 */
class CachedCopiesTest {
  private final VmScenario scenario =
      Fixtures.runningVm("ns", "db")
          .onNode("node-a")
          .withPvcDisk("root", "db-root", "1Gi")
          .withDataVolumeDisk("data", "db-data", "2Gi")
          .build();

  @Test
  void anInstanceAnswersThePlannerAndThePreflightAsRead() {
    VirtualMachine vm = scenario.vm();
    VirtualMachineInstance read = withHotplugAndMemoryDump(scenario.vmi().orElseThrow());
    read.getMetadata()
        .setAnnotations(Map.of(CachedCopies.LAST_APPLIED, Serialization.asJson(read.getSpec())));
    String json = Serialization.asJson(read);

    VirtualMachineInstance kept = CachedCopies.vmi(Serialization.clone(read));

    assertThat(DiskPlanner.plan(vm, Optional.of(kept), null))
        .isEqualTo(DiskPlanner.plan(vm, Optional.of(read), null));
    assertThat(DiskPlanner.plan(vm, Optional.of(kept), null).disks())
        .extracting(DiskPlanner.Disk::hotplugged)
        .contains(true); // the hot-plugged claim is still seen as one
    assertThat(DiskPlanner.plan(vm, Optional.of(kept), null).excluded()).isNotEmpty();
    assertThat(VmiPreflight.runningSince(kept))
        .isPresent()
        .isEqualTo(VmiPreflight.runningSince(read));
    assertThat(VmiPreflight.isWindows(kept)).isEqualTo(VmiPreflight.isWindows(read));
    assertThat(VmiPreflight.isPaused(kept)).isEqualTo(VmiPreflight.isPaused(read));
    assertThat(kept.getStatus().getNodeName()).isEqualTo(read.getStatus().getNodeName());
    assertThat(kept.getStatus().getConditions())
        .usingRecursiveComparison()
        .isEqualTo(read.getStatus().getConditions());
    assertThat(kept.getMetadata().getOwnerReferences())
        .isEqualTo(read.getMetadata().getOwnerReferences());
    assertThat(Serialization.asJson(kept))
        .doesNotContain("interfaces", "launcherContainerImageVersion", CachedCopies.LAST_APPLIED)
        .hasSizeLessThan(json.length() * 2 / 3);
  }

  @Test
  void aSnapshotReadWithoutItsVmDefinitionIsTheCopyTheCacheKeeps() throws Exception {
    QuiescedSnapshot read = new QuiescedSnapshot();
    read.getMetadata().setName("db-1");
    read.getMetadata().setNamespace("ns");
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("db");
    read.setSpec(spec);
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(SnapshotPhase.InProgress);
    status.setMessage("frozen");
    status.setVmDefinition(VmDefinitions.capture(scenario.vm()));
    read.setStatus(status);
    String json = Serialization.asJson(read);

    QuiescedSnapshot skipped =
        CachedCopies.withoutVmDefinition(Serialization.jsonMapper())
            .readValue(json, QuiescedSnapshot.class);

    assertThat(skipped.getStatus().getVmDefinition()).isNull();
    assertThat(Serialization.asJson(skipped))
        .isEqualTo(Serialization.asJson(CachedCopies.snapshot(Serialization.clone(read))));
    // the mapper it was made from still reads it (a restore's GET)
    assertThat(Serialization.unmarshal(json, QuiescedSnapshot.class).getStatus().getVmDefinition())
        .isNotNull();
  }

  @Test
  void aWindowsGuestIsStillOne() {
    VirtualMachineInstance read = scenario.vmi().orElseThrow();
    read.getStatus()
        .setAdditionalProperty("guestOSInfo", Map.of("id", "mswindows", "name", "Windows"));

    assertThat(VmiPreflight.isWindows(CachedCopies.vmi(Serialization.clone(read)))).isTrue();
  }

  @Test
  void aVmKeepsItsWholeSpecForTheRestoreDefinition() {
    VirtualMachine read = scenario.vm();
    read.getSpec().setAdditionalProperty("instancetype", Map.of("name", "u1.small"));

    VirtualMachine kept = CachedCopies.vm(Serialization.clone(read));

    assertThat(VmDefinitions.capture(kept))
        .usingRecursiveComparison()
        .isEqualTo(VmDefinitions.capture(read));
    assertThat(DiskPlanner.plan(kept, Optional.empty(), null))
        .isEqualTo(DiskPlanner.plan(read, Optional.empty(), null));
    assertThat(kept.getStatus().getPrintableStatus())
        .isEqualTo(read.getStatus().getPrintableStatus());
  }

  @Test
  void aClaimKeepsItsStorageClass() {
    PersistentVolumeClaim read = scenario.pvcs().get(0);

    PersistentVolumeClaim kept = CachedCopies.pvc(Serialization.clone(read));

    assertThat(kept.getSpec().getStorageClassName())
        .isNotNull()
        .isEqualTo(read.getSpec().getStorageClassName());
    assertThat(kept.getMetadata().getName()).isEqualTo(read.getMetadata().getName());
    assertThat(kept.getSpec().getResources()).isNull();
  }

  @Test
  void aSnapshotLosesOnlyTheVmDefinition() {
    QuiescedSnapshot read = terminalSnapshot();

    QuiescedSnapshot kept = CachedCopies.snapshot(Serialization.clone(read));

    assertThat(kept.getStatus().getVmDefinition()).isNull();
    kept.getStatus().setVmDefinition(read.getStatus().getVmDefinition());
    assertThat(kept)
        .usingRecursiveComparison()
        .ignoringFields("metadata.managedFields")
        .isEqualTo(read);
  }

  @Test
  void theSchedulesCopyKeepsWhatTheScheduleReads() {
    QuiescedSnapshot read = terminalSnapshot();
    read.getMetadata().setLabels(Map.of("quiesce.io/schedule", "nightly"));
    read.getMetadata().setAnnotations(Map.of("quiesce.io/scheduled-at", "2026-12-06T00:00:00Z"));
    read.getMetadata().setUid("u-1");
    read.getMetadata().setCreationTimestamp("2026-12-06T00:00:01Z");
    read.getStatus().setStartTime("2026-12-06T00:00:02Z");
    read.getStatus().setCompletionTime("2026-12-06T00:00:03Z");
    read.getStatus()
        .getConditions()
        .add(
            new io.fabric8.kubernetes.api.model.ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("Succeeded")
                .withMessage("all VolumeSnapshots are ready")
                .build());

    QuiescedSnapshot kept = CachedCopies.scheduledSnapshot(Serialization.clone(read));

    assertThat(kept.getMetadata())
        .usingRecursiveComparison()
        .ignoringFields("managedFields")
        .isEqualTo(read.getMetadata());
    assertThat(kept.getSpec()).usingRecursiveComparison().isEqualTo(read.getSpec());
    assertThat(kept.getStatus().getPhase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(kept.getStatus().getStartTime()).isEqualTo(read.getStatus().getStartTime());
    assertThat(kept.getStatus().getCompletionTime())
        .isEqualTo(read.getStatus().getCompletionTime());
    assertThat(kept.getStatus().getConditions()).isEmpty();
    assertThat(kept.getStatus().getVmDefinition()).isNull();
    assertThat(kept.getStatus().getNodeName()).isNull();
  }

  private QuiescedSnapshot terminalSnapshot() {
    QuiescedSnapshot read = new QuiescedSnapshot();
    read.getMetadata().setName("db-1");
    read.getMetadata().setNamespace("ns");
    read.setSpec(new QuiescedSnapshotSpec());
    read.getSpec().setSource("db");
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(SnapshotPhase.Succeeded);
    status.setNodeName("node-a");
    status.setVmDefinition(VmDefinitions.capture(scenario.vm()));
    read.setStatus(status);
    return read;
  }

  private static VirtualMachineInstance withHotplugAndMemoryDump(VirtualMachineInstance vmi) {
    Volume hot = new Volume();
    hot.setName("hotdisk");
    PersistentVolumeClaimVolumeSource source = new PersistentVolumeClaimVolumeSource();
    source.setClaimName("hot-claim");
    hot.setPersistentVolumeClaim(source);
    vmi.getSpec().getVolumes().add(hot);
    VolumeStatus status = new VolumeStatus();
    status.setName("hotdisk");
    status.setTarget("sda");
    status.setPhase("Ready");
    status.setAdditionalProperty(
        "hotplugVolume", Map.of("attachPodName", "hp-volume-abcde", "attachPodUID", "uid-1"));
    vmi.getStatus().getVolumeStatus().add(status);
    Volume dump = new Volume();
    dump.setName("memdump");
    dump.setAdditionalProperty(
        "memoryDump", Map.of("claimName", "dump-claim", "hotpluggable", true));
    vmi.getSpec().getVolumes().add(dump);
    return vmi;
  }
}
