package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.HelperHandBack;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachine;
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
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The state machine's channel decisions: which channel an assignment carries, when the operator
 * freezes through KubeVirt itself, and that only {@code auto} falls back to it when the node helper
 * found no agent channel ({@code NoAgentChannel}); explicit channels never do.
 */
class ChannelFallbackTest {
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

  @ParameterizedTest
  @EnumSource(
      value = QuiesceChannel.class,
      names = {"AUTO", "QGA", "LIBVIRT"})
  void anAssignmentCarriesTheResolvedHelperChannel(QuiesceChannel channel) {
    Decision d = SnapshotStateMachine.decide(pending(channel, null, null, true));

    assertThat(d.action()).isEqualTo(Action.ASSIGN_TO_HELPER);
    assertThat(d.channel()).isEqualTo(channel);
    assertThat(d.status().getMessage())
        .contains("channel " + channel.value() + " from spec.quiesce.channel");
  }

  @Test
  void theVmAnnotationAndTheClusterDefaultApplyWhenTheSpecIsSilent() {
    assertThat(
            SnapshotStateMachine.decide(pending(null, "libvirt", QuiesceChannel.QGA, true))
                .channel())
        .isEqualTo(QuiesceChannel.LIBVIRT);
    assertThat(SnapshotStateMachine.decide(pending(null, null, QuiesceChannel.QGA, true)).channel())
        .isEqualTo(QuiesceChannel.QGA);
    assertThat(SnapshotStateMachine.decide(pending(null, "kubevirt-api", null, true)).action())
        .isEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
  }

  @Test
  void kubevirtApiIsTheOperatorsOwnEvenWithALiveHelper() {
    Decision d =
        SnapshotStateMachine.decide(pending(QuiesceChannel.KUBEVIRT_API, null, null, true));

    assertThat(d.action()).isEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
    assertThat(d.channel()).isNull();
  }

  @Test
  void withoutALiveHelperAutoFreezesThroughKubeVirtButExplicitChannelsWait() {
    assertThat(SnapshotStateMachine.decide(pending(null, null, null, false)).action())
        .isEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);

    for (QuiesceChannel explicit : List.of(QuiesceChannel.QGA, QuiesceChannel.LIBVIRT)) {
      Decision d = SnapshotStateMachine.decide(pending(explicit, null, null, false));
      assertThat(d.action()).isEqualTo(Action.NONE);
      assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.Pending);
      assertThat(progressingReason(d.status())).isEqualTo("WaitingForNodeHelper");
    }
  }

  @Test
  void anAnnotationNamingNoChannelFailsTheSnapshot() {
    Decision d = SnapshotStateMachine.decide(pending(null, "helper", null, true));

    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(Conditions.find(d.status().getConditions(), "Failed").orElseThrow().getReason())
        .isEqualTo("InvalidChannel");
  }

  @Test
  void noAgentChannelUnderAutoFallsBackToKubeVirtOnce() {
    Observation o =
        assigned(helperRecord("NoAgentChannel", "neither a libvirt nor an agent socket"), NOW);

    Decision d = SnapshotStateMachine.decide(o);

    assertThat(d.action()).isEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
    assertThat(d.status()).as("written: the KubeVirt record goes with it").isNotNull();
    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.InProgress);
    assertThat(d.plan())
        .extracting(VolumeSnapshotRecord::getVolumeSnapshotName)
        .containsExactly("s1--pvcdisk1");
    assertThat(progressingReason(d.status())).isEqualTo("FreezingThroughKubeVirt");
    assertThat(d.status().getMessage()).contains("neither a libvirt nor an agent socket");
    assertThat(d.events())
        .extracting(Decision.SnapshotEvent::reason)
        .containsExactly("FallingBackToKubeVirt");

    // once KubeVirt's record is there (next to the helper's hand-back), the snapshot follows it
    // like any freeze
    FreezeRecord kubevirt = helperRecord("Frozen", null);
    kubevirt.setMethod(io.quiesce.api.v1alpha1.FreezeMethod.KUBEVIRT_API);
    Observation frozen = assigned(kubevirt, NOW);
    frozen.snapshot().getStatus().setHelperHandBack(new HelperHandBack("NoAgentChannel", "none"));
    assertThat(SnapshotStateMachine.decide(frozen).action())
        .isNotEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
    assertThat(SnapshotStateMachine.decide(frozen).status().getHelperHandBack())
        .as("the operator never writes the helper's field")
        .isNull();
  }

  /**
   * A helper from before status.helperHandBack wrote its hand-back as the freeze record: still a
   * fallback.
   */
  @Test
  void aHandBackInTheFreezeRecordOfAnOlderHelperStillFallsBack() {
    Observation o = assigned(null, NOW);
    o.snapshot().getStatus().setFreeze(helperRecord("NoAgentChannel", "older helper"));

    Decision d = SnapshotStateMachine.decide(o);

    assertThat(d.action()).isEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
    assertThat(d.status().getMessage()).contains("older helper");
  }

  /**
   * KubeVirt's freeze is a freeze: with the caps reached, the fallback waits for a slot instead of
   * freezing.
   */
  @Test
  void theKubeVirtFallbackWaitsForAFreezeSlot() {
    Observation fresh = assigned(helperRecord("NoAgentChannel", "none"), NOW);
    Observation capped =
        new Observation(
            fresh.snapshot(),
            NOW,
            fresh.vm(),
            fresh.vmi(),
            DRIVERS,
            CLASSES,
            new Admission(false, false),
            true,
            null,
            Map.of());

    Decision d = SnapshotStateMachine.decide(capped);

    assertThat(d.action()).isEqualTo(Action.NONE);
    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.InProgress);
    assertThat(progressingReason(d.status())).isEqualTo("WaitingForFreezeSlot");
    assertThat(SnapshotStateMachine.decide(fresh).action())
        .as("once a slot is granted")
        .isEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
  }

  @Test
  void aStaleCacheAfterTheFallbackDoesNotFreezeTwice() {
    Observation fresh = assigned(helperRecord("NoAgentChannel", "none"), NOW);
    Observation stale =
        new Observation(
            fresh.snapshot(),
            NOW,
            fresh.vm(),
            fresh.vmi(),
            DRIVERS,
            CLASSES,
            Admission.FREE,
            true,
            null,
            Map.of("s1--pvcdisk1", new VolumeSnapshot()));

    Decision d = SnapshotStateMachine.decide(stale);

    assertThat(d.action()).isEqualTo(Action.NONE);
    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.InProgress);
  }

  @Test
  void noAgentChannelPastTheDeadlineFails() {
    Decision d =
        SnapshotStateMachine.decide(
            assigned(helperRecord("NoAgentChannel", "none"), CREATED.plusSeconds(31)));

    assertThat(d.status().getPhase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(d.action()).isEqualTo(Action.NONE);
  }

  @Test
  void anExplicitChannelsFailureIsNeverAFallback() {
    for (String reason :
        List.of("LibvirtSocketNotFound", "AgentSocketNotFound", "AgentNotResponding")) {
      Decision d = SnapshotStateMachine.decide(assigned(helperRecord(reason, "not there"), NOW));

      assertThat(d.action()).as(reason).isNotEqualTo(Action.FREEZE_THROUGH_KUBEVIRT);
      assertThat(d.status().getPhase()).as(reason).isEqualTo(SnapshotPhase.Failed);
      assertThat(Conditions.find(d.status().getConditions(), "Failed").orElseThrow().getReason())
          .isEqualTo(reason);
    }
  }

  private Observation pending(
      QuiesceChannel spec,
      String vmAnnotation,
      QuiesceChannel clusterDefault,
      boolean helperAlive) {
    QuiescedSnapshot s = snapshot();
    s.getSpec().getQuiesce().setChannel(spec);
    VmScenario fresh =
        Fixtures.runningVm("ns", "db").build(); // annotations must not leak between calls
    VirtualMachine vm = fresh.vm();
    if (vmAnnotation != null) {
      vm.getMetadata().setAnnotations(Map.of(QuiesceChannel.ANNOTATION, vmAnnotation));
    }
    return new Observation(
        s,
        NOW,
        Optional.of(vm),
        fresh.vmi(),
        DRIVERS,
        CLASSES,
        Admission.FREE,
        helperAlive,
        clusterDefault,
        Map.of());
  }

  /** Assigned to the helper (channel auto) with a freeze record written by it. */
  private Observation assigned(FreezeRecord freeze, Instant now) {
    QuiescedSnapshot s = snapshot();
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.InProgress);
    st.setNodeName(Fixtures.DEFAULT_NODE);
    VolumeSnapshotRecord planned = new VolumeSnapshotRecord();
    planned.setVolume("pvcdisk1");
    planned.setVolumeSnapshotName("s1--pvcdisk1");
    st.setVolumeSnapshots(List.of(planned));
    if (freeze != null && "NoAgentChannel".equals(freeze.getReason())) {
      // as the helper writes a hand-back: apart from status.freeze, which it leaves to the operator
      st.setHelperHandBack(new HelperHandBack(freeze.getReason(), freeze.getError()));
    } else {
      st.setFreeze(freeze);
    }
    s.setStatus(st);
    return new Observation(
        s,
        now,
        Optional.of(running.vm()),
        running.vmi(),
        DRIVERS,
        CLASSES,
        Admission.FREE,
        true,
        null,
        Map.of());
  }

  private static FreezeRecord helperRecord(String reason, String error) {
    FreezeRecord r = new FreezeRecord();
    r.setReason(reason);
    r.setError(error);
    r.setFilesystemsFrozen(0);
    return r;
  }

  private static QuiescedSnapshot snapshot() {
    QuiescedSnapshot s =
        SnapshotTestSupport.snapshot("ns", "s1", "db", QuiesceMode.Required, "30s");
    s.getMetadata().setCreationTimestamp(CREATED.toString());
    s.getMetadata().setGeneration(1L);
    return s;
  }

  private static String progressingReason(QuiescedSnapshotStatus status) {
    return Conditions.find(status.getConditions(), "Progressing").orElseThrow().getReason();
  }
}
