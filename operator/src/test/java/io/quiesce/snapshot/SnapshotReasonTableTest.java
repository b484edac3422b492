package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.HelperHandBack;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceMigrationState;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One row per reason no other test asserted: the observation that leads to it, and the phase and
 * reason the state machine decides. The reason is the {@code Ready} condition's (and, for a
 * verdict, {@code status.consistencyReason}).
 */
class SnapshotReasonTableTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

  /** The snapshots below have a 30 s failureDeadline. */
  private static final Instant IN_TIME = CREATED.plusSeconds(5);

  private static final Instant LATE = CREATED.plusSeconds(31);
  private static final List<ClassInfo> CLASSES =
      List.of(new ClassInfo(Fixtures.SNAPSHOT_CLASS, Fixtures.CSI_DRIVER, true));
  private static final Map<String, Optional<String>> DRIVERS =
      Map.of(
          "db-disk-alpine",
          Optional.of(Fixtures.CSI_DRIVER),
          "db-alpine-dv",
          Optional.of(Fixtures.CSI_DRIVER));
  private static final String VS = "s1--pvcdisk1";

  record Row(String name, Function<Void, Decision> decide, SnapshotPhase phase, String reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        row(
            "Pending past the deadline",
            v -> decide(pending("30s"), LATE, running()),
            SnapshotPhase.Failed,
            "DeadlineExceeded"),
        row(
            "Pending past the deadline while migrating",
            v -> decide(pending("30s"), LATE, migrating()),
            SnapshotPhase.Failed,
            "MigrationInProgress"),
        row(
            "Pending, migrating in time",
            v -> decide(pending("30s"), IN_TIME, migrating()),
            SnapshotPhase.Pending,
            "Migrating"),
        row(
            "Pending, the instance has no node yet",
            v -> decide(pending("30s"), IN_TIME, withoutNode()),
            SnapshotPhase.Pending,
            "WaitingForNode"),
        row(
            "a failureDeadline that is no duration",
            v -> decide(pending("soon"), IN_TIME, running()),
            SnapshotPhase.Failed,
            "InvalidSpec"),
        row(
            "frozen, a cut still missing at the deadline",
            v ->
                decide(
                    inProgress(frozen("2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z")),
                    LATE,
                    running(),
                    vs(null, false)),
            SnapshotPhase.Failed,
            "DeadlineExceeded"),
        row(
            "frozen, cut, not ready at the deadline",
            v ->
                decide(
                    inProgress(frozen("2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z")),
                    LATE,
                    running(),
                    vs("2026-01-01T00:00:01Z", false)),
            SnapshotPhase.Failed,
            "DeadlineExceeded"),
        row(
            "frozen, but the record has no window",
            v ->
                decide(
                    inProgress(frozen(null, null)),
                    IN_TIME,
                    running(),
                    vs("2026-01-01T00:00:01Z", true)),
            SnapshotPhase.Succeeded,
            "FreezeWindowUnknown"),
        row(
            "handed back for a reason with no fallback (Required)",
            v -> decide(handedBack(inProgress(null), "SocketIdentityMismatch"), IN_TIME, running()),
            SnapshotPhase.Failed,
            "SocketIdentityMismatch"),
        row(
            "handed back for a reason with no fallback (BestEffort)",
            v ->
                decide(
                    handedBack(bestEffort(inProgress(null)), "SocketIdentityMismatch"),
                    IN_TIME,
                    running(),
                    vs("2026-01-01T00:00:01Z", true)),
            SnapshotPhase.Succeeded,
            "SocketIdentityMismatch"),
        row(
            "KubeVirt's window found another owner's VolumeSnapshot",
            v -> decide(inProgress(conflict()), IN_TIME, running()),
            SnapshotPhase.Failed,
            "VolumeSnapshotConflict"),
        row(
            "the reconciler found another owner's VolumeSnapshot",
            v ->
                SnapshotStateMachine.fail(
                    observation(inProgress(null), IN_TIME, running(), Map.of()),
                    "VolumeSnapshotConflict",
                    "VolumeSnapshot " + VS + " belongs to someone else"),
            SnapshotPhase.Failed,
            "VolumeSnapshotConflict"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theStateMachineDecidesTheReason(Row row) {
    Decision d = row.decide().apply(null);

    assertThat(d.status()).as("a decision that changes the phase or reason is written").isNotNull();
    assertThat(d.status().getPhase()).isEqualTo(row.phase());
    String ready =
        Conditions.find(d.status().getConditions(), "Ready")
            .map(Condition::getReason)
            .orElseThrow();
    if (row.phase() == SnapshotPhase.Succeeded) {
      assertThat(d.status().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(d.status().getConsistencyReason()).isEqualTo(row.reason());
    } else {
      assertThat(ready).isEqualTo(row.reason());
    }
    if (row.phase() == SnapshotPhase.Failed) {
      assertThat(Conditions.isTrue(d.status().getConditions(), "Failed")).isTrue();
      assertThat(d.status().getCompletionTime()).isNotNull();
      assertThat(d.events())
          .extracting(Decision.SnapshotEvent::reason)
          .containsExactly(row.reason());
      assertThat(d.events()).allMatch(Decision.SnapshotEvent::warning);
    }
  }

  private static Arguments row(
      String name, Function<Void, Decision> decide, SnapshotPhase phase, String reason) {
    return Arguments.of(new Row(name, decide, phase, reason));
  }

  private static Decision decide(QuiescedSnapshot s, Instant now, VmScenario vm) {
    return decide(s, now, vm, Map.of());
  }

  private static Decision decide(
      QuiescedSnapshot s, Instant now, VmScenario vm, Map<String, VolumeSnapshot> vss) {
    return SnapshotStateMachine.decide(observation(s, now, vm, vss));
  }

  private static Observation observation(
      QuiescedSnapshot s, Instant now, VmScenario vm, Map<String, VolumeSnapshot> vss) {
    return new Observation(
        s, now, Optional.of(vm.vm()), vm.vmi(), DRIVERS, CLASSES, Admission.FREE, true, null, vss);
  }

  private static VmScenario running() {
    return Fixtures.runningVm("ns", "db").build();
  }

  private static VmScenario migrating() {
    VmScenario vm = running();
    VirtualMachineInstanceMigrationState migration = new VirtualMachineInstanceMigrationState();
    migration.setSourceNode(Fixtures.DEFAULT_NODE);
    migration.setTargetNode("node02");
    migration.setStartTimestamp(CREATED.toString());
    vm.vmi().orElseThrow().getStatus().setMigrationState(migration);
    return vm;
  }

  private static VmScenario withoutNode() {
    VmScenario vm = running();
    VirtualMachineInstance vmi = vm.vmi().orElseThrow();
    vmi.getStatus().setNodeName(null);
    return vm;
  }

  private static QuiescedSnapshot pending(String deadline) {
    QuiescedSnapshot s =
        SnapshotTestSupport.snapshot("ns", "s1", "db", QuiesceMode.Required, deadline);
    s.getMetadata().setCreationTimestamp(CREATED.toString());
    s.getMetadata().setGeneration(1L);
    return s;
  }

  private static QuiescedSnapshot inProgress(FreezeRecord freeze) {
    QuiescedSnapshot s = pending("30s");
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.InProgress);
    st.setNodeName(Fixtures.DEFAULT_NODE);
    VolumeSnapshotRecord planned = new VolumeSnapshotRecord();
    planned.setVolume("pvcdisk1");
    planned.setPersistentVolumeClaim("db-disk-alpine");
    planned.setVolumeSnapshotName(VS);
    st.setVolumeSnapshots(List.of(planned));
    st.setFreeze(freeze);
    s.setStatus(st);
    return s;
  }

  private static QuiescedSnapshot handedBack(QuiescedSnapshot s, String reason) {
    s.getStatus().setHelperHandBack(new HelperHandBack(reason, "the helper froze nothing"));
    return s;
  }

  private static QuiescedSnapshot bestEffort(QuiescedSnapshot s) {
    s.getSpec().getQuiesce().setMode(QuiesceMode.BestEffort);
    return s;
  }

  private static FreezeRecord frozen(String start, String end) {
    FreezeRecord r = new FreezeRecord();
    r.setMethod(FreezeMethod.QGA);
    r.setReason("Frozen");
    r.setFilesystemsFrozen(1);
    r.setThawedBy(ThawTrigger.Cut);
    r.setStartTime(start);
    r.setEndTime(end);
    return r;
  }

  private static FreezeRecord conflict() {
    FreezeRecord r = new FreezeRecord();
    r.setMethod(FreezeMethod.KUBEVIRT_API);
    r.setReason("VolumeSnapshotConflict");
    r.setError(
        "VolumeSnapshot " + VS + " already exists and does not belong to this QuiescedSnapshot");
    return r;
  }

  private static Map<String, VolumeSnapshot> vs(String creationTime, boolean ready) {
    VolumeSnapshot v = new VolumeSnapshot();
    v.getMetadata().setName(VS);
    VolumeSnapshotStatus st = new VolumeSnapshotStatus();
    st.setCreationTime(creationTime);
    st.setReadyToUse(ready);
    v.setStatus(st);
    return Map.of(VS, v);
  }
}
