package io.quiesce.snapshot;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator reads off a running VirtualMachineInstance before any freeze: whether it is
 * paused, when it started running (to wait for a just-booted guest's agent), and whether KubeVirt
 * reports a Windows guest. Pure functions over the observed object.
 */
final class VmiPreflight {
  /**
   * How long after the instance started running its agent may still be starting: within it the
   * operator waits for {@code AgentConnected}, after it a missing agent is taken as absent.
   */
  static final Duration AGENT_START_GRACE = Duration.ofMinutes(3);

  /** Left before the failureDeadline when the wait ends: time to freeze (or not) and cut. */
  static final Duration AGENT_WAIT_MARGIN = Duration.ofSeconds(5);

  /** Windows' VSS holds writes at most this long. */
  static final Duration VSS_HOLD_LIMIT = Duration.ofSeconds(10);

  private VmiPreflight() {}

  /**
   * Condition {@code Paused} is True: the vCPUs are stopped and the agent cannot freeze anything.
   */
  static boolean isPaused(VirtualMachineInstance vmi) {
    return vmi.getStatus() != null
        && vmi.getStatus()
            .condition(VirtualMachineInstanceCondition.PAUSED)
            .map(VirtualMachineInstanceCondition::isTrue)
            .orElse(false);
  }

  /** The latest {@code status.phaseTransitionTimestamps} entry of phase Running, if any. */
  static Optional<Instant> runningSince(VirtualMachineInstance vmi) {
    Object transitions =
        vmi.getStatus() == null
            ? null
            : vmi.getStatus().getAdditionalProperties().get("phaseTransitionTimestamps");
    if (!(transitions instanceof List<?> list)) {
      return Optional.empty();
    }
    Instant latest = null;
    for (Object entry : list) {
      if (entry instanceof Map<?, ?> m
          && "Running".equals(m.get("phase"))
          && m.get("phaseTransitionTimestamp") instanceof String ts) {
        try {
          Instant at = Instant.parse(ts);
          latest = latest == null || at.isAfter(latest) ? at : latest;
        } catch (DateTimeParseException ignored) {
          // a malformed entry says nothing
        }
      }
    }
    return Optional.ofNullable(latest);
  }

  /**
   * Until when to wait for the agent of an instance whose agent is not connected: its start plus
   * {@link #AGENT_START_GRACE}, and never later than the failureDeadline minus the freeze timeout
   * and {@link #AGENT_WAIT_MARGIN}. Empty when the start is unknown (no wait).
   */
  static Optional<Instant> agentWaitUntil(VirtualMachineInstance vmi, QuiescedSnapshot s) {
    Instant last = SnapshotSpecs.deadline(s).minus(freezeTimeout(s)).minus(AGENT_WAIT_MARGIN);
    return runningSince(vmi)
        .map(start -> start.plus(AGENT_START_GRACE))
        .map(end -> end.isAfter(last) ? last : end);
  }

  /** KubeVirt reports the guest as Windows ({@code status.guestOSInfo.id}, from the agent). */
  static boolean isWindows(VirtualMachineInstance vmi) {
    Object info =
        vmi.getStatus() == null
            ? null
            : vmi.getStatus().getAdditionalProperties().get("guestOSInfo");
    return info instanceof Map<?, ?> m && "mswindows".equals(m.get("id"));
  }

  /** {@code spec.quiesce.timeout}, or its default. */
  static Duration freezeTimeout(QuiescedSnapshot s) {
    return SnapshotSpecs.quiesceTimeout(s);
  }
}
