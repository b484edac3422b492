package io.quiesce.status;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every reason a QuiescedSnapshot carries, defined once for the operator and the node helper: the
 * helper writes them on {@code status.freeze.reason} and {@code
 * status.freeze.channelAttempts[].reason}, the operator reads them there and writes them on {@code
 * status.consistencyReason}, the conditions and the Events. The wire value (CamelCase) is what the
 * API server stores; no other main source spells it (ReasonDefinedOnceTest checks).
 * docs/preflight.md and docs/channels.md say what to do about each reason a user can meet.
 */
public enum Reason {
  // --- status.freeze.reason: the outcome of a freeze window (helper or the operator's KubeVirt
  // window)
  /** Every disk was cut inside the window. */
  FROZEN("Frozen"),
  /** The freeze command was refused or could not be sent. */
  FREEZE_FAILED("FreezeFailed"),
  /** Not every cut came within {@code spec.quiesce.timeout}; thawed at the deadline. */
  QUIESCE_TIMEOUT("QuiesceTimeout"),
  /** Creating or cutting a VolumeSnapshot failed. */
  VOLUME_SNAPSHOT_FAILED("VolumeSnapshotFailed"),
  /** A VolumeSnapshot of the plan exists and belongs to someone else. */
  VOLUME_SNAPSHOT_CONFLICT("VolumeSnapshotConflict"),
  /** The QuiescedSnapshot was deleted inside its window. */
  SNAPSHOT_DELETED("SnapshotDeleted"),
  /** The node helper shut down inside the window. */
  HELPER_SHUTDOWN("HelperShutdown"),
  /**
   * An emergency thaw ({@code kubectl quiesce thaw}) ended the window; also the reason of the
   * helper's Event on the VirtualMachineInstance it thawed.
   */
  EMERGENCY_THAW("EmergencyThaw"),
  /**
   * The VirtualMachineInstance's {@code quiesce.io/thaw-requested} annotation is not a valid token;
   * nothing was done.
   */
  THAW_REQUEST_INVALID("ThawRequestInvalid"),
  /** The node helper restarted inside the window; the cuts cannot be shown to be frozen. */
  HELPER_RESTARTED("HelperRestarted"),
  /** {@code spec.quiesce.mode} is Skip: nothing frozen. */
  QUIESCE_SKIPPED("QuiesceSkipped"),
  /**
   * Channel auto: the helper found no usable libvirt or agent channel; the operator freezes through
   * KubeVirt.
   */
  NO_AGENT_CHANNEL("NoAgentChannel"),
  /** The helper was asked for a channel it does not serve (kubevirt-api). */
  CHANNEL_NOT_SERVED("ChannelNotServed"),
  /** KubeVirt reported the guest frozen before the operator's own freeze. */
  GUEST_ALREADY_FROZEN("GuestAlreadyFrozen"),
  /**
   * A consistency group under mode Required: another VM of the group could not be frozen, so this
   * one was thawed at once and nothing was cut.
   */
  GROUP_MEMBER_NOT_FROZEN("GroupMemberNotFrozen"),
  /** The operator lost its KubeVirt window (restart) before recording it. */
  KUBEVIRT_WINDOW_INTERRUPTED("KubeVirtWindowInterrupted"),
  /** KubeVirt's freeze succeeded, but nothing says it was a freeze of ours. */
  FREEZE_NOT_CONFIRMED("FreezeNotConfirmed"),
  /** KubeVirt listed no guest filesystem. */
  NO_FILESYSTEMS_LISTED("NoFilesystemsListed"),
  /** Neither of KubeVirt's filesystem lists answered. */
  FILESYSTEM_LIST_UNAVAILABLE("FilesystemListUnavailable"),
  /** The thaw was sent but not confirmed. */
  THAW_NOT_CONFIRMED("ThawNotConfirmed"),

  // --- status.freeze.reason: what the freeze engine and the guest agent said
  AGENT_TIMEOUT("AgentTimeout"),
  AGENT_NOT_RESPONDING("AgentNotResponding"),
  AGENT_UNAVAILABLE("AgentUnavailable"),
  AGENT_CALL_FAILED("AgentCallFailed"),
  AGENT_COMMAND_FAILED("AgentCommandFailed"),
  AGENT_PROTOCOL_VIOLATION("AgentProtocolViolation"),
  ALREADY_FROZEN("AlreadyFrozen"),
  /** A Windows guest's VSS hold limit ended the freeze. */
  VSS_HOLD_LIMIT_EXCEEDED("VssHoldLimitExceeded"),
  THAW_REQUESTED("ThawRequested"),
  THAW_FAILED("ThawFailed"),
  FROZEN_BY_OTHER("FrozenByOther"),
  STALE_FREEZE_NOT_THAWED("StaleFreezeNotThawed"),
  JOURNAL_WRITE_FAILED("JournalWriteFailed"),
  FREEZE_CALL_PAST_DEADLINE("FreezeCallPastDeadline"),
  SHUTTING_DOWN("ShuttingDown"),
  FREEZE_IN_PROGRESS("FreezeInProgress"),
  FROZEN_WORK_FAILED("FrozenWorkFailed"),
  NODE_FREEZE_CAP_REACHED("NodeFreezeCapReached"),
  /** The helper may not use the libvirt socket (no {@code virt-qemu} group or SELinux type). */
  LIBVIRT_PERMISSION_DENIED("LibvirtPermissionDenied"),

  // --- status.freeze.channelAttempts[].reason
  /** The attempt's channel was used. */
  READY("Ready"),
  LIBVIRT_SOCKET_NOT_FOUND("LibvirtSocketNotFound"),
  AGENT_SOCKET_NOT_FOUND("AgentSocketNotFound"),
  CHANNEL_UNUSABLE("ChannelUnusable"),
  /**
   * The libvirt daemon behind the socket has no domain of the guest's name and firmware UUID:
   * nothing was sent.
   */
  SOCKET_IDENTITY_MISMATCH("SocketIdentityMismatch"),
  /**
   * The snapshot names no cluster freeze slot ({@code quiesce.io/freeze-slot}): the helper never
   * freezes it.
   */
  FREEZE_SLOT_MISSING("FreezeSlotMissing"),
  /** The freeze slot's Lease does not name the snapshot (yet): the helper retries until it does. */
  FREEZE_SLOT_NOT_HELD("FreezeSlotNotHeld"),

  // --- spec.volumeGroup: one CSI VolumeGroupSnapshot for all of a VM's disks
  // (docs/consistency-groups.md)
  /** {@code Required}, and the cluster serves no {@code groupsnapshot.storage.k8s.io} version. */
  VOLUME_GROUP_SNAPSHOT_NOT_SERVED("VolumeGroupSnapshotNotServed"),
  /** {@code Required}, and no VolumeGroupSnapshotClass fits every PVC of the VM. */
  NO_VOLUME_GROUP_SNAPSHOT_CLASS("NoVolumeGroupSnapshotClass"),
  /**
   * {@code Auto} found no fitting group class: one VolumeSnapshot per volume (a Normal Event says
   * why).
   */
  VOLUME_GROUP_FALLBACK("VolumeGroupFallback"),
  /** The group snapshot (or the object of its name) failed; its error is quoted. */
  VOLUME_GROUP_SNAPSHOT_FAILED("VolumeGroupSnapshotFailed"),

  // --- checks before a freeze (docs/preflight.md); a condition reason, a consistencyReason under
  // BestEffort, an Event
  /**
   * guest-info lists a freeze or thaw command as disabled (or not at all): nothing can be frozen.
   */
  AGENT_FREEZE_DISABLED("AgentFreezeDisabled"),
  /** The guest agent did not answer before the snapshot's deadline left no room to freeze. */
  AGENT_NOT_READY("AgentNotReady"),
  /** The operator waits for a guest that booted a moment ago to connect its agent. */
  WAITING_FOR_GUEST_AGENT("WaitingForGuestAgent"),
  /** A Windows guest, whose VSS holds writes at most 10 s, and a longer {@code quiesce.timeout}. */
  WINDOWS_FREEZE_TIMEOUT_TOO_LONG("WindowsFreezeTimeoutTooLong"),
  /** The guest refused the freeze with a permission error, as its SELinux policy does. */
  GUEST_SELINUX_DENIED("GuestSELinuxDenied"),
  /** The VirtualMachineInstance is paused (condition Paused=True): its agent cannot freeze. */
  VIRTUAL_MACHINE_PAUSED("VirtualMachinePaused"),
  /** Some PVC-backed volumes of the VM are left out; {@code status.excludedVolumes} names them. */
  VOLUMES_EXCLUDED("VolumesExcluded"),
  /** Volumes hot-plugged into the running instance are in the snapshot. */
  HOTPLUGGED_VOLUMES_INCLUDED("HotpluggedVolumesIncluded"),
  /** The guest agent is not connected (KubeVirt's AgentConnected condition). */
  AGENT_NOT_CONNECTED("AgentNotConnected"),

  // --- the operator's conditions and Events on the way
  INVALID_SPEC("InvalidSpec"),
  INVALID_CHANNEL("InvalidChannel"),
  SOURCE_NOT_FOUND("SourceNotFound"),
  PERSISTENT_VOLUME_CLAIM_NOT_FOUND("PersistentVolumeClaimNotFound"),
  NO_PERSISTENT_VOLUMES("NoPersistentVolumes"),
  VOLUME_NOT_FOUND("VolumeNotFound"),
  NO_VOLUME_SNAPSHOT_CLASS("NoVolumeSnapshotClass"),
  VOLUME_SNAPSHOT_CLASS_NOT_FOUND("VolumeSnapshotClassNotFound"),
  VOLUME_SNAPSHOT_CLASS_MISMATCH("VolumeSnapshotClassMismatch"),
  AMBIGUOUS_DEFAULT_VOLUME_SNAPSHOT_CLASS("AmbiguousDefaultVolumeSnapshotClass"),
  DEADLINE_EXCEEDED("DeadlineExceeded"),
  MIGRATION_IN_PROGRESS("MigrationInProgress"),
  MIGRATING("Migrating"),
  WAITING_FOR_NODE("WaitingForNode"),
  WAITING_FOR_OTHER_SNAPSHOT("WaitingForOtherSnapshot"),
  WAITING_FOR_FREEZE_SLOT("WaitingForFreezeSlot"),
  WAITING_FOR_NODE_HELPER("WaitingForNodeHelper"),
  ASSIGNED_TO_NODE("AssignedToNode"),
  /** The Event of the assignment to a node helper. */
  ASSIGNED("Assigned"),
  HELPER_NOT_RESPONDING("HelperNotResponding"),
  FREEZING_THROUGH_KUBEVIRT("FreezingThroughKubeVirt"),
  FALLING_BACK_TO_KUBEVIRT("FallingBackToKubeVirt"),
  CREATING_VOLUME_SNAPSHOTS("CreatingVolumeSnapshots"),
  WAITING_FOR_VOLUME_SNAPSHOTS("WaitingForVolumeSnapshots"),
  SUCCEEDED("Succeeded"),
  /** The helper's Event when the guest is thawed. */
  THAWED("Thawed"),
  KUBEVIRT_UNFREEZE_BACKSTOP("KubeVirtUnfreezeBackstop"),
  KUBEVIRT_UNFREEZE_BACKSTOP_FAILED("KubeVirtUnfreezeBackstopFailed"),

  // --- status.hooks (docs/hooks.md)
  /**
   * Hooks cannot run: the channel has no guest-exec (kubevirt-api) or the agent has it disabled;
   * nothing ran, nothing frozen. Also status.freeze.reason then.
   */
  HOOKS_REFUSED("HooksRefused"),
  /**
   * A preFreeze hook with onError Fail failed: nothing frozen, postThaw hooks ran. Also
   * status.freeze.reason then.
   */
  PRE_FREEZE_HOOK_FAILED("PreFreezeHookFailed"),
  /** status.hooks.runs[].reason: exit code 0. */
  HOOK_SUCCEEDED("HookSucceeded"),
  /** status.hooks.runs[].reason: another exit code, or killed by a signal. */
  HOOK_FAILED("HookFailed"),
  /** status.hooks.runs[].reason: abandoned at its timeout; the process may still run. */
  HOOK_TIMED_OUT("HookTimedOut"),
  /** status.hooks.runs[].reason: the agent could not start or follow the hook. */
  HOOK_AGENT_ERROR("HookAgentError"),
  /** status.hooks.runs[].reason: not run, an earlier preFreeze hook failed with onError Fail. */
  HOOK_NOT_RUN("HookNotRun"),

  // --- status.consistencyReason
  /** Consistency reason of a VM snapshotted while stopped. */
  VIRTUAL_MACHINE_STOPPED("VirtualMachineStopped"),
  /** A stopped VM that started before its disks were all cut. */
  VIRTUAL_MACHINE_STARTED_BEFORE_CUT("VirtualMachineStartedBeforeCut"),
  CUT_OUTSIDE_FREEZE_WINDOW("CutOutsideFreezeWindow"),
  NO_FILESYSTEMS_FROZEN("NoFilesystemsFrozen"),
  FROZEN_FILESYSTEMS_NOT_COUNTED("FrozenFilesystemsNotCounted"),
  FREEZE_WINDOW_UNKNOWN("FreezeWindowUnknown");

  /**
   * The reasons the node helper's guest checks (docs/preflight.md) record on {@code
   * status.freeze.reason}.
   */
  public static final Set<String> GUEST_CHECKS =
      Set.of(
          AGENT_FREEZE_DISABLED.wire,
          AGENT_NOT_READY.wire,
          WINDOWS_FREEZE_TIMEOUT_TOO_LONG.wire,
          GUEST_SELINUX_DENIED.wire);

  /**
   * The reasons on {@code status.freeze.reason} with which the hooks stopped a snapshot before any
   * freeze: it fails, whatever the mode (no crash-consistent fallback without its hooks).
   */
  public static final Set<String> HOOKS_STOPPED =
      Set.of(HOOKS_REFUSED.wire, PRE_FREEZE_HOOK_FAILED.wire);

  private static final Map<String, Reason> BY_WIRE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(Reason::wire, Function.identity()));

  private final String wire;

  Reason(String wire) {
    this.wire = wire;
  }

  /** The value on the wire: in status, on conditions and Events. */
  public String wire() {
    return wire;
  }

  /** True when {@code value} (a reason read off an object, may be null) is this reason. */
  public boolean is(String value) {
    return wire.equals(value);
  }

  /**
   * The reason whose wire value is {@code value}; empty for one this build does not know (a newer
   * peer's).
   */
  public static Optional<Reason> fromWire(String value) {
    return Optional.ofNullable(value == null ? null : BY_WIRE.get(value));
  }

  @Override
  public String toString() {
    return wire;
  }
}
