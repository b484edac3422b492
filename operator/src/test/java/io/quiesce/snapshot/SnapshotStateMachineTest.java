package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.snapshot.Decision.Action;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lifecycle decisions, without Kubernetes: built objects in, a Decision out. */
class SnapshotStateMachineTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant NOW = CREATED.plusSeconds(5);
  private static final List<ClassInfo> CLASSES =
      List.of(new ClassInfo(Fixtures.SNAPSHOT_CLASS, Fixtures.CSI_DRIVER, true));
  private static final Map<String, Optional<String>> DRIVERS =
      Map.of(
          "db-disk-alpine",
          Optional.of(Fixtures.CSI_DRIVER),
          "db-alpine-dv",
          Optional.of(Fixtures.CSI_DRIVER));

  private final VmScenario running = Fixtures.runningVm("ns", "db").build();

  @Test
  void runningVmWithAFreeSlotIsAssignedToItsNodeHelper() {
    Decision d = SnapshotStateMachine.decide(pending(Admission.FREE, true));

    assertThat(d.action()).isEqualTo(Action.ASSIGN_TO_HELPER);
    assertThat(d.node()).isEqualTo(Fixtures.DEFAULT_NODE);
    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.InProgress);
    assertThat(d.status().getVolumeSnapshots())
        .extracting(VolumeSnapshotRecord::getVolumeSnapshotName)
        .containsExactly("s1--pvcdisk1", "s1--datavolumedisk1");
    assertThat(Conditions.find(d.status().getConditions(), "Progressing"))
        .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("AssignedToNode"));
    assertThat(d.events()).extracting(Decision.SnapshotEvent::reason).containsExactly("Assigned");
    assertThat(d.status().getFreeze()).isNull(); // never written by the operator on this path
  }

  @Test
  void waitsForTheVmAndForAFreezeSlot() {
    Decision busy = SnapshotStateMachine.decide(pending(new Admission(true, true), true));
    Decision capped = SnapshotStateMachine.decide(pending(new Admission(false, false), true));

    assertThat(busy.action()).isEqualTo(Action.NONE);
    assertThat(reason(busy.status())).isEqualTo("WaitingForOtherSnapshot");
    assertThat(capped.action()).isEqualTo(Action.NONE);
    assertThat(reason(capped.status())).isEqualTo("WaitingForFreezeSlot");
    assertThat(capped.status().getNodeName()).isEqualTo(Fixtures.DEFAULT_NODE);
    assertThat(capped.status().getPhase()).isEqualTo(SnapshotPhase.Pending);
  }

  @Test
  void noLiveHelperMeansTheKubeVirtChannel() {
    Decision d = SnapshotStateMachine.decide(pending(Admission.FREE, false));

    assertThat(d.action()).isEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
  }

  @Test
  void pendingPastTheDeadlineFails() {
    Observation o = pending(Admission.FREE, true);
    Observation late =
        new Observation(
            o.snapshot(),
            CREATED.plusSeconds(31),
            o.vm(),
            o.vmi(),
            o.pvcDrivers(),
            o.classes(),
            o.admission(),
            true,
            QuiesceChannel.AUTO,
            Map.of());

    Decision d = SnapshotStateMachine.decide(late);

    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(d.outcome()).contains("Failed");
  }

  @Test
  void consistencyIsHonestAboutTheWindow() {
    FreezeRecord freeze = new FreezeRecord();
    freeze.setFilesystemsFrozen(2);
    freeze.setStartTime("2026-01-01T00:00:10.400Z");
    freeze.setEndTime("2026-01-01T00:00:11.200Z");

    assertThat(
            SnapshotStateMachine.honestConsistency(
                    freeze, cuts("2026-01-01T00:00:10Z", "2026-01-01T00:00:11Z"))
                .consistency())
        .isEqualTo(Consistency.FilesystemConsistent);
    assertThat(
            SnapshotStateMachine.honestConsistency(
                freeze, cuts("2026-01-01T00:00:10Z", "2026-01-01T00:00:12Z")))
        .isEqualTo(
            new SnapshotStateMachine.Verdict(
                Consistency.CrashConsistent, "CutOutsideFreezeWindow"));
    assertThat(
            SnapshotStateMachine.honestConsistency(freeze, cuts("2026-01-01T00:00:09Z"))
                .consistency())
        .isEqualTo(Consistency.CrashConsistent);
    freeze.setFilesystemsFrozen(0);
    assertThat(SnapshotStateMachine.honestConsistency(freeze, cuts("2026-01-01T00:00:10Z")))
        .isEqualTo(
            new SnapshotStateMachine.Verdict(Consistency.CrashConsistent, "NoFilesystemsFrozen"));
  }

  @Test
  void allReadyAfterAFreezeSucceedsAndTerminalStaysPut() {
    QuiescedSnapshot s = snapshot();
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.InProgress);
    st.setNodeName(Fixtures.DEFAULT_NODE);
    VolumeSnapshotRecord planned = new VolumeSnapshotRecord();
    planned.setVolume("pvcdisk1");
    planned.setVolumeSnapshotName("s1--pvcdisk1");
    st.setVolumeSnapshots(List.of(planned));
    FreezeRecord freeze = new FreezeRecord();
    freeze.setReason("Frozen");
    freeze.setFilesystemsFrozen(1);
    freeze.setStartTime("2026-01-01T00:00:02Z");
    freeze.setEndTime("2026-01-01T00:00:03Z");
    st.setFreeze(freeze);
    s.setStatus(st);
    VolumeSnapshot vs = new VolumeSnapshot();
    VolumeSnapshotStatus vss = new VolumeSnapshotStatus();
    vss.setCreationTime("2026-01-01T00:00:02Z");
    vss.setReadyToUse(true);
    vs.setStatus(vss);

    Decision d =
        SnapshotStateMachine.decide(
            new Observation(
                s,
                NOW,
                Optional.of(running.vm()),
                Optional.empty(),
                Map.of(),
                List.of(),
                Admission.FREE,
                true,
                QuiesceChannel.AUTO,
                Map.of("s1--pvcdisk1", vs)));

    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(d.status().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
    assertThat(d.outcome()).contains("FilesystemConsistent");

    s.setStatus(d.status());
    Decision again =
        SnapshotStateMachine.decide(
            new Observation(
                s,
                NOW,
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                List.of(),
                Admission.FREE,
                true,
                QuiesceChannel.AUTO,
                Map.of()));
    assertThat(again.status()).isNull();
    assertThat(again.events()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"PreFreezeHookFailed", "HooksRefused"})
  void hooksThatStoppedTheSnapshotFailItEvenUnderBestEffort(String reason) {
    QuiescedSnapshot s = snapshot();
    s.getSpec().getQuiesce().setMode(QuiesceMode.BestEffort);
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.InProgress);
    st.setNodeName(Fixtures.DEFAULT_NODE);
    VolumeSnapshotRecord planned = new VolumeSnapshotRecord();
    planned.setVolume("pvcdisk1");
    planned.setVolumeSnapshotName("s1--pvcdisk1");
    st.setVolumeSnapshots(List.of(planned));
    FreezeRecord freeze = new FreezeRecord();
    freeze.setReason(reason);
    freeze.setFilesystemsFrozen(0);
    freeze.setError("preFreeze hook 0 (/bin/flush) HookFailed: exited with code 4");
    st.setFreeze(freeze);
    s.setStatus(st);

    Decision d =
        SnapshotStateMachine.decide(
            new Observation(
                s,
                NOW,
                Optional.of(running.vm()),
                running.vmi(),
                Map.of(),
                List.of(),
                Admission.FREE,
                true,
                QuiesceChannel.AUTO,
                Map.of()));

    // no crash-consistent fallback: a snapshot without its hooks is not what was asked for
    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(d.action()).isNotEqualTo(Action.CREATE_VOLUME_SNAPSHOTS);
    assertThat(reason(d.status())).isEqualTo(reason);
  }

  private Observation pending(Admission admission, boolean helperAlive) {
    VirtualMachineInstance vmi = running.vmi().orElseThrow();
    return new Observation(
        snapshot(),
        NOW,
        Optional.of(running.vm()),
        Optional.of(vmi),
        DRIVERS,
        CLASSES,
        admission,
        helperAlive,
        QuiesceChannel.AUTO,
        Map.of());
  }

  private static QuiescedSnapshot snapshot() {
    QuiescedSnapshot s =
        SnapshotTestSupport.snapshot("ns", "s1", "db", QuiesceMode.Required, "30s");
    s.getMetadata().setCreationTimestamp(CREATED.toString());
    s.getMetadata().setGeneration(1L);
    return s;
  }

  private static List<VolumeSnapshotRecord> cuts(String... times) {
    return java.util.Arrays.stream(times)
        .map(
            t -> {
              VolumeSnapshotRecord r = new VolumeSnapshotRecord();
              r.setCreationTime(t);
              return r;
            })
        .toList();
  }

  private static String reason(QuiescedSnapshotStatus status) {
    return Conditions.find(status.getConditions(), "Progressing").orElseThrow().getReason();
  }
}
