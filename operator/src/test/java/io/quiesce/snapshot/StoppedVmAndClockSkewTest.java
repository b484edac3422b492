package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.status.Reason;
import io.quiesce.testkit.MovableClock;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stopped VM's verdict re-checked before Succeeded, and the two comparisons of clocks that belong
 * to different machines (the helper's heartbeat, the cut inside the window) under a skew of ±3 s.
 */
class StoppedVmAndClockSkewTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant CUT = CREATED.plusSeconds(2);
  private final VmScenario running = Fixtures.runningVm("ns", "db").build();

  @Test
  void aStoppedVmThatStartedBeforeTheCutIsNotRecordedFilesystemConsistent() {
    VirtualMachineInstance startedMeanwhile = instanceCreatedAt(CUT.minusSeconds(1));

    Decision best =
        SnapshotStateMachine.decide(stoppedVerdictAllCut(QuiesceMode.BestEffort, startedMeanwhile));
    Decision required =
        SnapshotStateMachine.decide(stoppedVerdictAllCut(QuiesceMode.Required, startedMeanwhile));

    assertThat(best.status().getPhase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(best.status().getConsistency()).isEqualTo(Consistency.CrashConsistent);
    assertThat(best.status().getConsistencyReason())
        .isEqualTo(Reason.VIRTUAL_MACHINE_STARTED_BEFORE_CUT.wire());
    assertThat(required.status().getPhase()).isEqualTo(SnapshotPhase.Failed);
  }

  @Test
  void aStoppedVmThatStayedStoppedOrStartedWellAfterTheCutKeepsItsVerdict() {
    Decision stayedStopped =
        SnapshotStateMachine.decide(stoppedVerdictAllCut(QuiesceMode.Required, null));
    Decision startedLater =
        SnapshotStateMachine.decide(
            stoppedVerdictAllCut(
                QuiesceMode.Required,
                instanceCreatedAt(CUT.plus(ClockSkew.TOLERANCE).plusSeconds(1))));

    for (Decision d : List.of(stayedStopped, startedLater)) {
      assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.Succeeded);
      assertThat(d.status().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(d.status().getConsistencyReason())
          .isEqualTo(Reason.VIRTUAL_MACHINE_STOPPED.wire());
    }
  }

  /**
   * The storage's clock 3 s ahead of or behind the node's: a cut the helper saw before its thaw is
   * inside.
   */
  @ParameterizedTest(name = "storage clock {0} s off the node's")
  @ValueSource(ints = {-3, 3})
  void aCutSeenBeforeTheThawIsInsideTheWindowDespiteASkewOfThreeSeconds(int skewSeconds) {
    FreezeRecord freeze = new FreezeRecord();
    freeze.setFilesystemsFrozen(1);
    freeze.setThawedBy(ThawTrigger.Cut);
    freeze.setStartTime("2026-01-01T00:00:10.400Z");
    freeze.setEndTime("2026-01-01T00:00:11.200Z");
    VolumeSnapshotRecord cut = new VolumeSnapshotRecord();
    // the true cut at 00:00:11 (inside), stamped by a storage clock off by skewSeconds
    cut.setCreationTime(Instant.parse("2026-01-01T00:00:11Z").plusSeconds(skewSeconds).toString());

    assertThat(SnapshotStateMachine.honestConsistency(freeze, List.of(cut)).consistency())
        .isEqualTo(Consistency.FilesystemConsistent);

    freeze.setThawedBy(
        ThawTrigger.Watchdog); // thawed without having seen the cut: no benefit of the doubt
    assertThat(SnapshotStateMachine.honestConsistency(freeze, List.of(cut)).consistency())
        .isEqualTo(Consistency.CrashConsistent);
  }

  /** The node's clock 3 s ahead of or behind the operator's, with a stale-after of 2 s. */
  @ParameterizedTest(name = "node clock {0} s off the operator's")
  @ValueSource(ints = {-3, 3})
  void aHeartbeatIsAgedOnTheOperatorsClockDespiteASkewOfThreeSeconds(int skewSeconds) {
    MovableClock operator = new MovableClock(CREATED);
    Duration staleAfter = Duration.ofSeconds(2);
    HelperHeartbeats heartbeats = new HelperHeartbeats(staleAfter);

    // the helper renews every second, stamping its own (skewed) clock
    for (int i = 1; i <= 5; i++) {
      Lease renewed = lease(String.valueOf(i), operator.instant().plusSeconds(skewSeconds));
      assertThat(heartbeats.alive("node-1", renewed, operator.instant()))
          .as("renewal %d just made", i)
          .isTrue();
      operator.advance(Duration.ofSeconds(1));
    }
    // then it dies: the last version stays; stale once staleAfter has passed on the operator's
    // clock
    Lease last = lease("5", CREATED.plusSeconds(4 + skewSeconds));
    assertThat(heartbeats.alive("node-1", last, operator.instant()))
        .isTrue(); // 1 s after the last renewal
    operator.advance(staleAfter);
    assertThat(heartbeats.alive("node-1", last, operator.instant())).isFalse();
  }

  private Observation stoppedVerdictAllCut(QuiesceMode mode, VirtualMachineInstance vmiNow) {
    QuiescedSnapshot s = SnapshotTestSupport.snapshot("ns", "s1", "db", mode, "30s");
    s.getMetadata().setCreationTimestamp(CREATED.toString());
    s.getMetadata().setGeneration(1L);
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.InProgress);
    st.setConsistency(Consistency.FilesystemConsistent);
    st.setConsistencyReason(Reason.VIRTUAL_MACHINE_STOPPED.wire());
    VolumeSnapshotRecord planned = new VolumeSnapshotRecord();
    planned.setVolume("pvcdisk1");
    planned.setVolumeSnapshotName("s1--pvcdisk1");
    st.setVolumeSnapshots(List.of(planned));
    s.setStatus(st);
    VolumeSnapshot vs = new VolumeSnapshot();
    VolumeSnapshotStatus vss = new VolumeSnapshotStatus();
    vss.setCreationTime(CUT.toString());
    vss.setReadyToUse(true);
    vs.setStatus(vss);
    return new Observation(
        s,
        CREATED.plusSeconds(5),
        Optional.of(running.vm()),
        Optional.ofNullable(vmiNow),
        Map.of(),
        List.of(),
        Admission.FREE,
        true,
        QuiesceChannel.AUTO,
        Map.of("s1--pvcdisk1", vs));
  }

  private VirtualMachineInstance instanceCreatedAt(Instant created) {
    VirtualMachineInstance vmi = Serialization.clone(running.vmi().orElseThrow());
    vmi.getMetadata().setCreationTimestamp(created.toString());
    return vmi;
  }

  private static Lease lease(String resourceVersion, Instant renewTime) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName("quiesce-helper-node-1")
        .withResourceVersion(resourceVersion)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity("node-1")
        .withRenewTime(ZonedDateTime.ofInstant(renewTime, ZoneOffset.UTC))
        .endSpec()
        .build();
  }
}
