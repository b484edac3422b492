package io.quiesce.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.InPlaceTarget;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreStatus;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoreTarget;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.naming.ChildNames;
import io.quiesce.restore.RestoreAction.CreateClaims;
import io.quiesce.restore.RestoreAction.CreateVm;
import io.quiesce.restore.RestoreAction.DeleteClaims;
import io.quiesce.restore.RestoreAction.ProtectSource;
import io.quiesce.restore.RestoreAction.ReleaseSource;
import io.quiesce.restore.RestoreAction.StopVm;
import io.quiesce.restore.RestoreAction.UpdateVm;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The restore state machine as a table: a world, then the phase, reason and actions it leads to.
 */
class RestoreStateMachineTest {
  private static final Instant NOW = Instant.parse("2026-12-05T23:00:00Z");
  private static final String NS = "prod";
  private static final String VM = "vm-alpine-datavolume";

  /** One world the state machine sees; each row changes one thing of a good default. */
  static final class World {
    QuiescedSnapshotRestore restore = newVmRestore("copy");
    QuiescedSnapshot source = snapshot(SnapshotPhase.Succeeded, Consistency.FilesystemConsistent);
    VirtualMachine vm;
    boolean instance;
    Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    Set<String> lateBinding = Set.of();

    RestoreObservation observation() {
      return new RestoreObservation(
          restore,
          NOW,
          Optional.ofNullable(source),
          Optional.ofNullable(vm),
          instance,
          claims,
          lateBinding);
    }

    World inPlace(boolean stopVM) {
      restore = inPlaceRestore("rollback", stopVM, InPlaceTarget.PreviousVolumesPolicy.Keep);
      vm = sourceVm();
      return this;
    }

    World phase(RestorePhase phase) {
      RestoreDecision first =
          RestoreStateMachine.decide(
              new RestoreObservation(
                  restore,
                  NOW,
                  Optional.ofNullable(source),
                  Optional.ofNullable(vm),
                  phase == RestorePhase.WaitingForVMStop,
                  Map.of(),
                  Set.of()));
      restore.setStatus(first.status());
      assertThat(restore.getStatus().getPhase()).isEqualTo(phase);
      return this;
    }

    World boundClaims() {
      for (String volume : List.of("datavolumedisk1")) {
        claims.put(
            ChildNames.restoredClaim(restore.getMetadata().getName(), volume),
            restoredClaim(restore, volume, "Bound"));
      }
      return this;
    }
  }

  record Row(
      String name,
      UnaryOperator<World> world,
      RestorePhase phase,
      String reason,
      List<Class<? extends RestoreAction>> actions) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> table() {
    return Stream.of(
        row(
            "new VM: starts restoring, protects the source, creates the PVC",
            w -> w,
            RestorePhase.RestoringVolumes,
            "VolumesRestoring",
            ProtectSource.class,
            CreateClaims.class),
        row(
            "new VM: PVCs bound -> VM created, source released",
            w -> w.phase(RestorePhase.RestoringVolumes).boundClaims(),
            RestorePhase.Succeeded,
            "Restored",
            CreateVm.class,
            ReleaseSource.class),
        row(
            "new VM: PVC waits for its first consumer counts as ready",
            w -> {
              w.phase(RestorePhase.RestoringVolumes);
              String name = ChildNames.restoredClaim("copy", "datavolumedisk1");
              w.claims.put(name, restoredClaim(w.restore, "datavolumedisk1", "Pending"));
              w.lateBinding = Set.of("csi-hostpath-sc");
              return w;
            },
            RestorePhase.Succeeded,
            "Restored",
            CreateVm.class,
            ReleaseSource.class),
        row(
            "new VM: PVC pending -> waits, creates nothing",
            w -> {
              w.phase(RestorePhase.RestoringVolumes);
              w.claims.put(
                  ChildNames.restoredClaim("copy", "datavolumedisk1"),
                  restoredClaim(w.restore, "datavolumedisk1", "Pending"));
              return w;
            },
            RestorePhase.RestoringVolumes,
            "VolumesRestoring"),
        row(
            "new VM: resumed after the VM was created -> not created twice",
            w -> {
              w.phase(RestorePhase.RestoringVolumes).boundClaims();
              w.vm = sourceVm();
              w.vm.getMetadata().setName("copy");
              w.vm.getMetadata().setLabels(Map.of(QuiescedSnapshotRestore.RESTORE_LABEL, "copy"));
              return w;
            },
            RestorePhase.Succeeded,
            "Restored",
            ReleaseSource.class),
        row(
            "new VM: a PVC of that name made by someone else -> conflict",
            w -> {
              w.phase(RestorePhase.RestoringVolumes);
              PersistentVolumeClaim foreign = restoredClaim(w.restore, "datavolumedisk1", "Bound");
              foreign.getMetadata().setLabels(Map.of());
              w.claims.put(ChildNames.restoredClaim("copy", "datavolumedisk1"), foreign);
              return w;
            },
            RestorePhase.Failed,
            "ClaimConflict"),
        row(
            "new VM: target VM exists -> refused",
            w -> {
              w.vm = sourceVm();
              return w;
            },
            RestorePhase.Failed,
            "TargetVMExists"),
        row(
            "new VM in another namespace -> refused",
            w -> {
              w.restore.getSpec().getTarget().getNewVM().setNamespace("staging");
              return w;
            },
            RestorePhase.Failed,
            "CrossNamespaceTarget"),
        row(
            "new VM: no definition kept -> refused",
            w -> {
              w.source.getStatus().setVmDefinition(null);
              return w;
            },
            RestorePhase.Failed,
            "NoVMDefinition"),
        row(
            "source missing -> refused",
            w -> {
              w.source = null;
              return w;
            },
            RestorePhase.Failed,
            "SourceNotFound"),
        row(
            "source being deleted -> refused",
            w -> {
              w.source.getMetadata().setDeletionTimestamp("2026-12-05T22:59:00Z");
              return w;
            },
            RestorePhase.Failed,
            "SourceDeleting"),
        row(
            "source still in progress -> waits",
            w -> {
              w.source.getStatus().setPhase(SnapshotPhase.InProgress);
              return w;
            },
            RestorePhase.Pending,
            "SourceNotFinished"),
        row(
            "CrashConsistent source without allowCrashConsistent -> refused",
            w -> {
              w.source.getStatus().setConsistency(Consistency.CrashConsistent);
              return w;
            },
            RestorePhase.Failed,
            "SourceNotConsistent"),
        row(
            "CrashConsistent source with allowCrashConsistent -> restores",
            w -> {
              w.source.getStatus().setConsistency(Consistency.CrashConsistent);
              w.restore.getSpec().setAllowCrashConsistent(true);
              return w;
            },
            RestorePhase.RestoringVolumes,
            "VolumesRestoring",
            ProtectSource.class,
            CreateClaims.class),
        row(
            "Failed source without allowFailed -> refused",
            w -> {
              w.source.getStatus().setPhase(SnapshotPhase.Failed);
              return w;
            },
            RestorePhase.Failed,
            "SourceFailed"),
        row(
            "Failed source with allowFailed, VolumeSnapshot not ready -> refused",
            w -> {
              w.source.getStatus().setPhase(SnapshotPhase.Failed);
              w.source.getStatus().getVolumeSnapshots().get(0).setReadyToUse(false);
              w.restore.getSpec().setAllowFailed(true);
              return w;
            },
            RestorePhase.Failed,
            "VolumeSnapshotNotReady"),
        row(
            "in place, VM runs, no stopVM -> refused",
            w -> {
              w.inPlace(false).instance = true;
              return w;
            },
            RestorePhase.Failed,
            "VMRunning"),
        row(
            "in place, VM runs, stopVM -> waits for the stop",
            w -> {
              w.inPlace(true).instance = true;
              return w;
            },
            RestorePhase.WaitingForVMStop,
            "WaitingForVMStop",
            ProtectSource.class,
            StopVm.class),
        row(
            "in place, stopped VM -> restores volumes at once",
            w -> w.inPlace(false),
            RestorePhase.RestoringVolumes,
            "VolumesRestoring",
            ProtectSource.class,
            CreateClaims.class),
        row(
            "in place: the instance is gone -> restores volumes",
            w -> {
              w.inPlace(true).phase(RestorePhase.WaitingForVMStop);
              return w;
            },
            RestorePhase.RestoringVolumes,
            "VolumesRestoring",
            CreateClaims.class),
        row(
            "in place: PVCs bound -> VM re-pointed",
            w -> w.inPlace(false).phase(RestorePhase.RestoringVolumes).boundClaims(),
            RestorePhase.Succeeded,
            "Restored",
            UpdateVm.class,
            ReleaseSource.class),
        row(
            "in place: started by someone meanwhile -> refused, VM untouched",
            w -> {
              w.inPlace(false).phase(RestorePhase.RestoringVolumes).boundClaims().instance = true;
              return w;
            },
            RestorePhase.Failed,
            "VMStartedDuringRestore"),
        row(
            "in place, VM gone while waiting -> failed",
            w -> {
              w.inPlace(true).phase(RestorePhase.WaitingForVMStop).vm = null;
              return w;
            },
            RestorePhase.Failed,
            "TargetVMGone"),
        row(
            "finished restore whose source still holds the finalizer -> releases it",
            w -> {
              w.phase(RestorePhase.RestoringVolumes).boundClaims();
              w.restore.getStatus().setPhase(RestorePhase.Succeeded);
              w.restore.getStatus().setReason("Restored");
              w.source
                  .getMetadata()
                  .setFinalizers(List.of(QuiescedSnapshotRestore.SOURCE_FINALIZER));
              return w;
            },
            RestorePhase.Succeeded,
            "Restored",
            ReleaseSource.class));
  }

  @SafeVarargs
  private static Arguments row(
      String name,
      UnaryOperator<World> world,
      RestorePhase phase,
      String reason,
      Class<? extends RestoreAction>... actions) {
    return Arguments.of(new Row(name, world, phase, reason, List.of(actions)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(Row row) {
    World world = row.world().apply(new World());
    RestoreDecision decision = RestoreStateMachine.decide(world.observation());
    QuiescedSnapshotRestoreStatus status =
        decision.status() != null ? decision.status() : world.restore.getStatus();
    assertThat(status.getPhase()).as(row.name()).isEqualTo(row.phase());
    assertThat(status.getReason()).as(row.name()).isEqualTo(row.reason());
    List<String> actions =
        decision.actions().stream().map(a -> a.getClass().getSimpleName()).toList();
    assertThat(actions)
        .as(row.name())
        .containsExactlyElementsOf(row.actions().stream().map(Class::getSimpleName).toList());
    if (row.phase() == RestorePhase.Failed) {
      assertThat(decision.events())
          .as("a refusal is an Event")
          .anyMatch(e -> e.warning() && e.reason().equals(row.reason()));
    }
  }

  @Test
  void newVmHasItsVolumesRepointedNewMacsAndUuidAndTheChosenRunStrategy() {
    World w = new World().phase(RestorePhase.RestoringVolumes).boundClaims();
    CreateVm create = (CreateVm) RestoreStateMachine.decide(w.observation()).actions().get(0);
    var spec = RestoredVm.specOf(create.vm());
    assertThat(spec.at("/template/spec/volumes/0/persistentVolumeClaim/claimName").asText())
        .isEqualTo(ChildNames.restoredClaim("copy", "datavolumedisk1"));
    assertThat(spec.at("/template/spec/volumes/0/dataVolume").isMissingNode()).isTrue();
    assertThat(spec.path("dataVolumeTemplates"))
        .as("the DataVolume template is not imported again")
        .isEmpty();
    assertThat(spec.path("runStrategy").asText()).isEqualTo("Always");
    assertThat(spec.at("/template/spec/domain/devices/interfaces/0/macAddress").asText())
        .isNotEqualTo("de:ad:00:00:be:af")
        .matches("02(:[0-9a-f]{2}){5}");
    assertThat(spec.at("/template/spec/domain/firmware/uuid").asText())
        .isNotEqualTo("5d307ca9-b3ef-428c-8861-06e72d69f223");
    assertThat(spec.at("/template/metadata/labels").path("kubevirt.io/vm").asText())
        .isEqualTo("copy");
    assertThat(create.vm().getMetadata().getLabels())
        .containsEntry("kubevirt.io/vm", "copy")
        .containsEntry(QuiescedSnapshotRestore.RESTORE_LABEL, "copy");
    // the same restore always derives the same identity (a resumed restore builds the same VM)
    CreateVm again = (CreateVm) RestoreStateMachine.decide(w.observation()).actions().get(0);
    assertThat(RestoredVm.specOf(again.vm())).isEqualTo(spec);
  }

  @Test
  void keepFlagsKeepMacAndUuid() {
    World w = new World();
    w.restore.getSpec().getTarget().getNewVM().setKeepMacAddresses(true);
    w.restore.getSpec().getTarget().getNewVM().setKeepFirmwareUUID(true);
    w.phase(RestorePhase.RestoringVolumes).boundClaims();
    CreateVm create = (CreateVm) RestoreStateMachine.decide(w.observation()).actions().get(0);
    var spec = RestoredVm.specOf(create.vm());
    assertThat(spec.at("/template/spec/domain/devices/interfaces/0/macAddress").asText())
        .isEqualTo("de:ad:00:00:be:af");
    assertThat(spec.at("/template/spec/domain/firmware/uuid").asText())
        .isEqualTo("5d307ca9-b3ef-428c-8861-06e72d69f223");
  }

  @Test
  void inPlaceRestartsARunningVmWithItsOwnStrategyAndDeletesPlainPreviousClaimsOnly() {
    World w = new World();
    w.restore = inPlaceRestore("rollback", true, InPlaceTarget.PreviousVolumesPolicy.Delete);
    w.vm = sourceVm();
    w.vm.getSpec().setRunStrategy("RerunOnFailure");
    w.phase(RestorePhase.WaitingForVMStop);
    assertThat(w.restore.getStatus().getVmWasRunning()).isTrue();
    assertThat(w.restore.getStatus().getPreviousRunStrategy()).isEqualTo("RerunOnFailure");
    w.restore.setStatus(
        RestoreStateMachine.decide(w.observation()).status()); // instance gone: restoring
    w.boundClaims();
    PersistentVolumeClaim cdiMade =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("alpine-dv")
            .withOwnerReferences(
                new OwnerReferenceBuilder().withKind("DataVolume").withName("alpine-dv").build())
            .endMetadata()
            .build();
    w.claims.put("alpine-dv", cdiMade);
    RestoreDecision decision = RestoreStateMachine.decide(w.observation());
    UpdateVm update = (UpdateVm) decision.actions().get(0);
    assertThat(update.specPatch()).containsEntry("runStrategy", "RerunOnFailure");
    assertThat(decision.actions()).noneMatch(a -> a instanceof DeleteClaims);
    assertThat(decision.status().getVolumes().get(0).getPreviousClaim()).isEqualTo("alpine-dv");
    assertThat(decision.status().getVolumes().get(0).getPreviousClaimDeleted()).isNull();
  }

  // ------------------------------------------------------------------ builders

  static VirtualMachine sourceVm() {
    VirtualMachine vm =
        Serialization.unmarshal(
            RestoreStateMachineTest.class.getResourceAsStream(
                "/testkit/examples/kubevirt/vm-alpine-datavolume.yaml"),
            VirtualMachine.class);
    vm.getMetadata().setNamespace(NS);
    vm.getMetadata().setResourceVersion("7");
    var domain = Serialization.jsonMapper().createObjectNode();
    // an explicit MAC and firmware UUID, as a VM that must keep its identity has
    var spec = (com.fasterxml.jackson.databind.node.ObjectNode) RestoredVm.specOf(vm);
    var d = (com.fasterxml.jackson.databind.node.ObjectNode) spec.at("/template/spec/domain");
    d.putObject("firmware").put("uuid", "5d307ca9-b3ef-428c-8861-06e72d69f223");
    ((com.fasterxml.jackson.databind.node.ObjectNode) d.get("devices"))
        .putArray("interfaces")
        .addObject()
        .put("name", "default")
        .put("macAddress", "de:ad:00:00:be:af")
        .putObject("masquerade");
    vm.setSpec(
        Serialization.jsonMapper()
            .convertValue(spec, io.quiesce.kube.kubevirt.VirtualMachineSpec.class));
    return vm;
  }

  static QuiescedSnapshot snapshot(SnapshotPhase phase, Consistency consistency) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setName("nightly");
    s.getMetadata().setNamespace(NS);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(VM);
    s.setSpec(spec);
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(phase);
    status.setConsistency(consistency);
    VolumeSnapshotRecord record = new VolumeSnapshotRecord();
    record.setVolume("datavolumedisk1");
    record.setPersistentVolumeClaim("alpine-dv");
    record.setVolumeSnapshotName("nightly--datavolumedisk1");
    record.setReadyToUse(true);
    record.setRestoreSize(new Quantity("2Gi"));
    status.setVolumeSnapshots(new ArrayList<>(List.of(record)));
    status.setVmDefinition(VmDefinitions.capture(sourceVm()));
    s.setStatus(status);
    return s;
  }

  static QuiescedSnapshotRestore newVmRestore(String name) {
    NewVmTarget newVm = new NewVmTarget();
    newVm.setName(name);
    newVm.setRunStrategy(io.quiesce.api.v1alpha1.RunStrategy.Always);
    RestoreTarget target = new RestoreTarget();
    target.setNewVM(newVm);
    return restore(name, target);
  }

  static QuiescedSnapshotRestore inPlaceRestore(
      String name, boolean stopVM, InPlaceTarget.PreviousVolumesPolicy previous) {
    InPlaceTarget inPlace = new InPlaceTarget();
    inPlace.setStopVM(stopVM);
    inPlace.setPreviousVolumes(previous);
    RestoreTarget target = new RestoreTarget();
    target.setInPlace(inPlace);
    return restore(name, target);
  }

  private static QuiescedSnapshotRestore restore(String name, RestoreTarget target) {
    QuiescedSnapshotRestore r = new QuiescedSnapshotRestore();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace(NS);
    r.getMetadata().setUid("uid-" + name);
    r.getMetadata().setGeneration(1L);
    QuiescedSnapshotRestoreSpec spec = new QuiescedSnapshotRestoreSpec();
    spec.setSource("nightly");
    spec.setTarget(target);
    r.setSpec(spec);
    return r;
  }

  static PersistentVolumeClaim restoredClaim(
      QuiescedSnapshotRestore restore, String volume, String phase) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(ChildNames.restoredClaim(restore.getMetadata().getName(), volume))
        .addToLabels(QuiescedSnapshotRestore.RESTORE_LABEL, restore.getMetadata().getName())
        .endMetadata()
        .withNewSpec()
        .withStorageClassName("csi-hostpath-sc")
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }
}
