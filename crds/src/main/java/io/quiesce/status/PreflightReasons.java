package io.quiesce.status;

import java.util.Set;

/**
 * The reasons the checks before a freeze give, in one place for the node helper (which checks the
 * guest through its agent) and the operator (which checks the VirtualMachineInstance). Each one is
 * a condition reason, a {@code consistencyReason} under BestEffort, and an Event reason; see
 * docs/preflight.md for what to do about each.
 */
public final class PreflightReasons {
    /** guest-info lists a freeze or thaw command as disabled (or not at all): nothing can be frozen. */
    public static final String AGENT_FREEZE_DISABLED = "AgentFreezeDisabled";
    /** The guest agent did not answer before the snapshot's deadline left no room to freeze. */
    public static final String AGENT_NOT_READY = "AgentNotReady";
    /** The operator waits for a guest that booted a moment ago to connect its agent. */
    public static final String WAITING_FOR_GUEST_AGENT = "WaitingForGuestAgent";
    /** A Windows guest, whose VSS holds writes at most 10 s, and a longer {@code quiesce.timeout}. */
    public static final String WINDOWS_FREEZE_TIMEOUT_TOO_LONG = "WindowsFreezeTimeoutTooLong";
    /** The guest refused the freeze with a permission error, as its SELinux policy does. */
    public static final String GUEST_SELINUX_DENIED = "GuestSELinuxDenied";
    /** The VirtualMachineInstance is paused (condition Paused=True): its agent cannot freeze. */
    public static final String VIRTUAL_MACHINE_PAUSED = "VirtualMachinePaused";
    /** Some PVC-backed volumes of the VM are left out; {@code status.excludedVolumes} names them. */
    public static final String VOLUMES_EXCLUDED = "VolumesExcluded";
    /** Volumes hot-plugged into the running instance are in the snapshot. */
    public static final String HOTPLUGGED_VOLUMES_INCLUDED = "HotpluggedVolumesIncluded";

    /** The reasons the node helper's guest checks record on {@code status.freeze.reason}. */
    public static final Set<String> GUEST_CHECKS = Set.of(AGENT_FREEZE_DISABLED, AGENT_NOT_READY,
            WINDOWS_FREEZE_TIMEOUT_TOO_LONG, GUEST_SELINUX_DENIED);

    private PreflightReasons() {
    }
}
