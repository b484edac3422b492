package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.ExcludedVolume;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.kubevirt.PersistentVolumeClaimVolumeSource;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceCondition;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.kube.kubevirt.VolumeStatus;
import io.quiesce.snapshot.Decision.Action;
import io.quiesce.snapshot.Decision.SnapshotEvent;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import io.quiesce.status.Conditions;
import io.quiesce.status.Reason;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The operator's checks before a freeze, on the instance as KubeVirt reports it (objects built from
 * the upstream-shaped fixtures, no Kubernetes): a paused instance, a guest that has just booted, a
 * Windows guest, hot-plugged volumes; and how the node helper's guest-check reasons end a snapshot.
 */
class PreflightDecisionTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant NOW = CREATED.plusSeconds(5);
  private static final List<ClassInfo> CLASSES =
      List.of(new ClassInfo(Fixtures.SNAPSHOT_CLASS, Fixtures.CSI_DRIVER, true));

  private final VmScenario running = Fixtures.runningVm("ns", "db").build();

  @Test
  void aPausedInstanceIsNeverFrozenRequiredFailsBestEffortIsCrashConsistent() {
    VirtualMachineInstance vmi = running.vmi().orElseThrow();
    vmi.getStatus()
        .getConditions()
        .add(new VirtualMachineInstanceCondition(VirtualMachineInstanceCondition.PAUSED, "True"));

    Decision required =
        SnapshotStateMachine.decide(
            pending(snapshot(QuiesceMode.Required, "2s", "30s"), vmi, drivers()));
    Decision best =
        SnapshotStateMachine.decide(
            pending(snapshot(QuiesceMode.BestEffort, "2s", "30s"), vmi, drivers()));

    assertThat(required.status().getPhase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(failedReason(required.status())).isEqualTo(Reason.VIRTUAL_MACHINE_PAUSED.wire());
    assertThat(required.events())
        .extracting(SnapshotEvent::reason)
        .contains(Reason.VIRTUAL_MACHINE_PAUSED.wire());
    assertThat(required.status().getMessage()).contains("virtctl unpause vm db", "BestEffort");
    assertThat(best.action())
        .as("no freeze: the VolumeSnapshots at once")
        .isEqualTo(Action.CREATE_VOLUME_SNAPSHOTS);
    assertThat(best.status().getConsistency()).isEqualTo(Consistency.CrashConsistent);
    assertThat(best.status().getConsistencyReason())
        .isEqualTo(Reason.VIRTUAL_MACHINE_PAUSED.wire());
    assertThat(best.events())
        .filteredOn(SnapshotEvent::warning)
        .extracting(SnapshotEvent::reason)
        .containsExactly(Reason.VIRTUAL_MACHINE_PAUSED.wire());
  }

  @Test
  void aJustBootedGuestIsWaitedForUntilItsAgentConnectsOrTheGraceEnds() {
    VmScenario booting = Fixtures.runningVm("ns", "db").agentDisconnected().build();
    VirtualMachineInstance vmi = booting.vmi().orElseThrow();
    runningSince(vmi, NOW.minusSeconds(20));
    QuiescedSnapshot s = snapshot(QuiesceMode.Required, "2s", "10m");

    Decision early = SnapshotStateMachine.decide(pending(s, vmi, drivers()));
    Instant afterGrace = NOW.minusSeconds(20).plus(VmiPreflight.AGENT_START_GRACE).plusSeconds(1);
    Decision late = SnapshotStateMachine.decide(pending(s, vmi, drivers(), afterGrace));
    Decision connected =
        SnapshotStateMachine.decide(pending(s, running.vmi().orElseThrow(), drivers()));

    assertThat(early.status().getPhase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(progressingReason(early.status())).isEqualTo(Reason.WAITING_FOR_GUEST_AGENT.wire());
    assertThat(early.requeue()).isPresent();
    assertThat(late.status().getPhase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(failedReason(late.status())).isEqualTo("AgentNotConnected");
    assertThat(connected.action()).isEqualTo(Action.ASSIGN_TO_HELPER);
  }

  @Test
  void theAgentWaitEndsBeforeTheFailureDeadlineSoBestEffortStillSnapshots() {
    VmScenario booting = Fixtures.runningVm("ns", "db").agentDisconnected().build();
    VirtualMachineInstance vmi = booting.vmi().orElseThrow();
    runningSince(vmi, NOW.minusSeconds(1));
    QuiescedSnapshot s = snapshot(QuiesceMode.BestEffort, "2s", "30s");

    Decision waiting =
        SnapshotStateMachine.decide(pending(s, vmi, drivers(), CREATED.plusSeconds(22)));
    Decision unfrozen =
        SnapshotStateMachine.decide(pending(s, vmi, drivers(), CREATED.plusSeconds(23)));

    assertThat(progressingReason(waiting.status()))
        .isEqualTo(Reason.WAITING_FOR_GUEST_AGENT.wire());
    assertThat(unfrozen.action()).isEqualTo(Action.CREATE_VOLUME_SNAPSHOTS);
    assertThat(unfrozen.status().getConsistencyReason()).isEqualTo("AgentNotConnected");
  }

  @Test
  void anInstanceRunningLongWithoutAnAgentIsNotWaitedFor() {
    VirtualMachineInstance vmi =
        Fixtures.runningVm("ns", "db").agentDisconnected().build().vmi().orElseThrow();
    // the upstream-shaped fixture has been Running since 2020

    Decision d =
        SnapshotStateMachine.decide(
            pending(snapshot(QuiesceMode.Required, "2s", "10m"), vmi, drivers()));

    assertThat(failedReason(d.status())).isEqualTo("AgentNotConnected");
  }

  @Test
  void aWindowsGuestAsKubeVirtReportsItIsRefusedATimeoutAboveTheVssLimit() {
    VirtualMachineInstance vmi = running.vmi().orElseThrow();
    vmi.getStatus()
        .getAdditionalProperties()
        .put("guestOSInfo", Map.of("id", "mswindows", "name", "Microsoft Windows Server 2022"));

    Decision tooLong =
        SnapshotStateMachine.decide(
            pending(snapshot(QuiesceMode.Required, "15s", "30s"), vmi, drivers()));
    Decision best =
        SnapshotStateMachine.decide(
            pending(snapshot(QuiesceMode.BestEffort, "15s", "30s"), vmi, drivers()));
    Decision within =
        SnapshotStateMachine.decide(
            pending(snapshot(QuiesceMode.Required, "10s", "30s"), vmi, drivers()));

    assertThat(failedReason(tooLong.status()))
        .isEqualTo(Reason.WINDOWS_FREEZE_TIMEOUT_TOO_LONG.wire());
    assertThat(tooLong.status().getMessage()).contains("10s or less");
    assertThat(best.status().getConsistencyReason())
        .isEqualTo(Reason.WINDOWS_FREEZE_TIMEOUT_TOO_LONG.wire());
    assertThat(within.action()).isEqualTo(Action.ASSIGN_TO_HELPER);
  }

  @Test
  void aVolumeHotPluggedIntoTheInstanceOnlyIsSnapshottedAndSaidSo() {
    VirtualMachineInstance vmi = running.vmi().orElseThrow();
    hotplug(vmi, "hotdisk", "hot-claim");
    Map<String, Optional<String>> drivers = new HashMap<>(drivers());
    drivers.put("hot-claim", Optional.of(Fixtures.CSI_DRIVER));

    Decision d =
        SnapshotStateMachine.decide(
            pending(snapshot(QuiesceMode.Required, "2s", "30s"), vmi, drivers));

    assertThat(d.action()).isEqualTo(Action.ASSIGN_TO_HELPER);
    assertThat(d.status().getVolumeSnapshots())
        .extracting(
            VolumeSnapshotRecord::getVolume,
            VolumeSnapshotRecord::getPersistentVolumeClaim,
            VolumeSnapshotRecord::getHotplugged)
        .contains(org.assertj.core.groups.Tuple.tuple("hotdisk", "hot-claim", true));
    assertThat(d.status().getExcludedVolumes()).isNull();
    assertThat(d.events())
        .extracting(SnapshotEvent::reason)
        .contains(Reason.HOTPLUGGED_VOLUMES_INCLUDED.wire());
  }

  @Test
  void volumesLeftOutAreNamedInTheStatusWithTheirReason() {
    VirtualMachineInstance vmi = running.vmi().orElseThrow();
    hotplug(vmi, "hotdisk", "hot-claim");
    Volume dump = new Volume();
    dump.setName("memdump");
    dump.setAdditionalProperty(
        "memoryDump", Map.of("claimName", "dump-claim", "hotpluggable", true));
    vmi.getSpec().getVolumes().add(dump);
    QuiescedSnapshot s = snapshot(QuiesceMode.Required, "2s", "30s");
    s.getSpec().setVolumes(List.of("pvcdisk1"));

    Decision d = SnapshotStateMachine.decide(pending(s, vmi, drivers()));

    assertThat(d.status().getVolumeSnapshots())
        .extracting(VolumeSnapshotRecord::getVolume)
        .containsExactly("pvcdisk1");
    assertThat(d.status().getExcludedVolumes())
        .containsExactlyInAnyOrder(
            new ExcludedVolume("memdump", "dump-claim", true, ExcludedVolume.MEMORY_DUMP),
            new ExcludedVolume(
                "datavolumedisk1", "db-alpine-dv", null, ExcludedVolume.NOT_IN_SPEC_VOLUMES),
            new ExcludedVolume("hotdisk", "hot-claim", true, ExcludedVolume.NOT_IN_SPEC_VOLUMES));
    assertThat(d.events())
        .filteredOn(e -> e.reason().equals(Reason.VOLUMES_EXCLUDED.wire()))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("memdump", "hotdisk"));
    // the list stays on the status once the snapshot runs
    s.setStatus(d.status());
    assertThat(SnapshotStateMachine.operatorFields(d.status()).getExcludedVolumes()).hasSize(3);
  }

  @Test
  void theHelpersGuestCheckReasonsFailRequiredAndMakeBestEffortCrashConsistent() {
    for (String reason : Reason.GUEST_CHECKS) {
      Decision required =
          SnapshotStateMachine.decide(
              recorded(snapshot(QuiesceMode.Required, "2s", "30s"), reason));
      Decision best =
          SnapshotStateMachine.decide(
              recorded(snapshot(QuiesceMode.BestEffort, "2s", "30s"), reason));

      assertThat(required.status().getPhase()).as(reason).isEqualTo(SnapshotPhase.Failed);
      assertThat(failedReason(required.status())).as(reason).isEqualTo(reason);
      assertThat(required.status().getMessage()).as(reason).contains("how to fix it");
      assertThat(required.events())
          .extracting(SnapshotEvent::reason)
          .as(reason)
          .containsExactly(reason);
      assertThat(best.status().getConsistency()).as(reason).isEqualTo(Consistency.CrashConsistent);
      assertThat(best.status().getConsistencyReason()).as(reason).isEqualTo(reason);
    }
  }

  /** An InProgress snapshot whose helper recorded a refusal of {@code reason}. */
  private Observation recorded(QuiescedSnapshot s, String reason) {
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.InProgress);
    st.setNodeName(Fixtures.DEFAULT_NODE);
    VolumeSnapshotRecord planned = new VolumeSnapshotRecord();
    planned.setVolume("pvcdisk1");
    planned.setVolumeSnapshotName("s1-pvcdisk1");
    st.setVolumeSnapshots(new ArrayList<>(List.of(planned)));
    FreezeRecord freeze = new FreezeRecord();
    freeze.setReason(reason);
    freeze.setFilesystemsFrozen(0);
    freeze.setError("refused before the freeze; how to fix it: ...");
    st.setFreeze(freeze);
    s.setStatus(st);
    return new Observation(
        s,
        NOW,
        Optional.of(running.vm()),
        Optional.empty(),
        Map.of(),
        List.of(),
        Admission.FREE,
        true,
        QuiesceChannel.AUTO,
        Map.of());
  }

  private static void hotplug(VirtualMachineInstance vmi, String volume, String claim) {
    Volume v = new Volume();
    v.setName(volume);
    PersistentVolumeClaimVolumeSource source = new PersistentVolumeClaimVolumeSource();
    source.setClaimName(claim);
    source.setHotpluggable(true);
    v.setPersistentVolumeClaim(source);
    vmi.getSpec().getVolumes().add(v);
    VolumeStatus status = new VolumeStatus();
    status.setName(volume);
    status.setTarget("sda");
    status.setPhase("Ready");
    status.setAdditionalProperty(
        "hotplugVolume", Map.of("attachPodName", "hp-volume-abcde", "attachPodUID", "uid-1"));
    vmi.getStatus().getVolumeStatus().add(status);
  }

  private static void runningSince(VirtualMachineInstance vmi, Instant at) {
    vmi.getStatus()
        .getAdditionalProperties()
        .put(
            "phaseTransitionTimestamps",
            List.of(
                Map.of(
                    "phase",
                    "Scheduled",
                    "phaseTransitionTimestamp",
                    at.minusSeconds(3).toString()),
                Map.of("phase", "Running", "phaseTransitionTimestamp", at.toString())));
  }

  private static Map<String, Optional<String>> drivers() {
    return Map.of(
        "db-disk-alpine",
        Optional.of(Fixtures.CSI_DRIVER),
        "db-alpine-dv",
        Optional.of(Fixtures.CSI_DRIVER));
  }

  private Observation pending(
      QuiescedSnapshot s, VirtualMachineInstance vmi, Map<String, Optional<String>> drivers) {
    return pending(s, vmi, drivers, NOW);
  }

  private Observation pending(
      QuiescedSnapshot s,
      VirtualMachineInstance vmi,
      Map<String, Optional<String>> drivers,
      Instant now) {
    return new Observation(
        s,
        now,
        Optional.of(running.vm()),
        Optional.of(vmi),
        drivers,
        CLASSES,
        Admission.FREE,
        true,
        QuiesceChannel.AUTO,
        Map.of());
  }

  /** Created at {@link #CREATED} with this quiesce.timeout and failureDeadline. */
  private static QuiescedSnapshot snapshot(
      QuiesceMode mode, String timeout, String failureDeadline) {
    QuiescedSnapshot s = SnapshotTestSupport.snapshot("ns", "s1", "db", mode, failureDeadline);
    s.getSpec().getQuiesce().setTimeout(timeout);
    s.getMetadata().setCreationTimestamp(CREATED.toString());
    s.getMetadata().setGeneration(1L);
    return s;
  }

  private static String failedReason(QuiescedSnapshotStatus status) {
    return Conditions.find(status.getConditions(), "Failed").orElseThrow().getReason();
  }

  private static String progressingReason(QuiescedSnapshotStatus status) {
    return Conditions.find(status.getConditions(), "Progressing").orElseThrow().getReason();
  }
}
