package io.quiesce.freeze;

/**
 * Recovery's result for one guest.
 *
 * @param guest the guest
 * @param action what was done
 * @param detail a one-line explanation (the agent's error, for failures)
 * @param durationMs how long the check (and thaw) took
 */
public record GuestRecovery(
    GuestRef guest, RecoveryAction action, String detail, long durationMs) {}
