package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import io.quiesce.status.Conditions;
import io.quiesce.status.Kstatus;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every phase of a QuiescedSnapshot, as kstatus (Flux) computes it from the conditions the state
 * machine writes: Pending and InProgress are InProgress (Reconciling=True), Succeeded is Current
 * (Ready=True), Failed is Failed (Stalled=True); and a spec the status has not caught up with is
 * InProgress whatever the conditions say.
 */
class KstatusConditionsTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  private static final List<ClassInfo> CLASSES =
      List.of(new ClassInfo(Fixtures.SNAPSHOT_CLASS, Fixtures.CSI_DRIVER, true));
  private static final Map<String, Optional<String>> DRIVERS =
      Map.of(
          "db-disk-alpine",
          Optional.of(Fixtures.CSI_DRIVER),
          "db-alpine-dv",
          Optional.of(Fixtures.CSI_DRIVER));

  private final VmScenario running = Fixtures.runningVm("ns", "db").build();
  private final VmScenario stopped = Fixtures.runningVm("ns", "db").stopped().build();

  @Test
  void everyPhaseMapsToItsKstatus() {
    // Pending, waiting for a freeze slot
    QuiescedSnapshot s = snapshot();
    QuiescedSnapshot pending =
        apply(s, decide(s, CREATED.plusSeconds(1), running, new Admission(false, false)));
    assertPhase(pending, SnapshotPhase.Pending, Kstatus.IN_PROGRESS);

    // InProgress: a stopped VM is cut directly
    QuiescedSnapshot inProgress =
        apply(s, decide(s, CREATED.plusSeconds(1), stopped, Admission.FREE));
    assertPhase(inProgress, SnapshotPhase.InProgress, Kstatus.IN_PROGRESS);

    // Failed: the deadline passed while still Pending
    QuiescedSnapshot failed =
        apply(s, decide(s, CREATED.plusSeconds(31), running, new Admission(false, false)));
    assertPhase(failed, SnapshotPhase.Failed, Kstatus.FAILED);
    assertThat(
            Conditions.find(failed.getStatus().getConditions(), Conditions.STALLED)
                .orElseThrow()
                .getReason())
        .isEqualTo("DeadlineExceeded");

    // Succeeded
    QuiescedSnapshot succeeded =
        apply(
            s,
            SnapshotStateMachine.decide(
                new Observation(
                    inProgress,
                    CREATED.plusSeconds(2),
                    Optional.of(stopped.vm()),
                    Optional.empty(),
                    DRIVERS,
                    CLASSES,
                    Admission.FREE,
                    true,
                    null,
                    allCut(inProgress))));
    assertPhase(succeeded, SnapshotPhase.Succeeded, Kstatus.CURRENT);
    assertThat(Conditions.isTrue(succeeded.getStatus().getConditions(), Conditions.RECONCILING))
        .isFalse();
    assertThat(Conditions.isTrue(succeeded.getStatus().getConditions(), Conditions.STALLED))
        .isFalse();
  }

  @Test
  void aNewerGenerationIsInProgressUntilTheStatusCatchesUp() {
    QuiescedSnapshot s = snapshot();
    QuiescedSnapshot failed = apply(s, decide(s, CREATED.plusSeconds(31), running, Admission.FREE));
    assertThat(Kstatus.of(failed)).isEqualTo(Kstatus.FAILED);
    failed.getMetadata().setGeneration(2L);
    assertThat(Kstatus.of(failed)).isEqualTo(Kstatus.IN_PROGRESS);
  }

  @Test
  void summarizeSetsExactlyOneOfTheThreeTrue() {
    for (Conditions.Summary summary : Conditions.Summary.values()) {
      List<io.fabric8.kubernetes.api.model.Condition> conditions = new java.util.ArrayList<>();
      Conditions.summarize(conditions, summary, "Why", "because", 3L, CREATED);
      assertThat(conditions)
          .extracting(c -> c.getType() + "=" + c.getStatus())
          .containsExactlyInAnyOrder(
              "Ready=" + (summary == Conditions.Summary.READY ? "True" : "False"),
              "Reconciling=" + (summary == Conditions.Summary.RECONCILING ? "True" : "False"),
              "Stalled=" + (summary == Conditions.Summary.STALLED ? "True" : "False"));
      assertThat(conditions)
          .allMatch(c -> c.getObservedGeneration() == 3L && "Why".equals(c.getReason()));
      assertThat(Kstatus.of(conditions, 3L, 3L))
          .isEqualTo(
              switch (summary) {
                case READY -> Kstatus.CURRENT;
                case RECONCILING -> Kstatus.IN_PROGRESS;
                case STALLED -> Kstatus.FAILED;
              });
    }
  }

  private static void assertPhase(QuiescedSnapshot s, SnapshotPhase phase, Kstatus expected) {
    assertThat(s.getStatus().getPhase()).isEqualTo(phase);
    assertThat(s.getStatus().getObservedGeneration()).isEqualTo(s.getMetadata().getGeneration());
    assertThat(Kstatus.of(s)).as(phase.name()).isEqualTo(expected);
  }

  private static Decision decide(
      QuiescedSnapshot s, Instant now, VmScenario vm, Admission admission) {
    return SnapshotStateMachine.decide(
        new Observation(
            s,
            now,
            Optional.of(vm.vm()),
            vm.vmi(),
            DRIVERS,
            CLASSES,
            admission,
            true,
            null,
            Map.of()));
  }

  /** The snapshot with the decided status written, as the API server would hold it. */
  private static QuiescedSnapshot apply(QuiescedSnapshot s, Decision d) {
    QuiescedSnapshot copy = io.fabric8.kubernetes.client.utils.Serialization.clone(s);
    assertThat(d.status()).isNotNull();
    copy.setStatus(d.status());
    return copy;
  }

  private static Map<String, io.quiesce.kube.csi.VolumeSnapshot> allCut(QuiescedSnapshot s) {
    assertThat(s.getStatus().getVolumeSnapshots()).isNotEmpty();
    return s.getStatus().getVolumeSnapshots().stream()
        .collect(java.util.stream.Collectors.toMap(r -> r.getVolumeSnapshotName(), r -> cut(s)));
  }

  private static io.quiesce.kube.csi.VolumeSnapshot cut(QuiescedSnapshot s) {
    io.quiesce.kube.csi.VolumeSnapshot v = new io.quiesce.kube.csi.VolumeSnapshot();
    io.quiesce.kube.csi.VolumeSnapshotStatus st = new io.quiesce.kube.csi.VolumeSnapshotStatus();
    st.setCreationTime(CREATED.plusSeconds(1).toString());
    st.setReadyToUse(true);
    v.setStatus(st);
    return v;
  }

  private static QuiescedSnapshot snapshot() {
    QuiescedSnapshot s =
        SnapshotTestSupport.snapshot("ns", "s1", "db", QuiesceMode.Required, "30s");
    s.getMetadata().setCreationTimestamp(CREATED.toString());
    s.getMetadata().setGeneration(1L);
    return s;
  }
}
