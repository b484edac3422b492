package io.quiesce.freeze;

import java.time.Instant;

/**
 * What one freeze did, for the snapshot's status.
 *
 * @param guest the guest
 * @param start when the agent replied to the freeze (every filesystem frozen); just before the
 *     freeze command was sent (after the freeze journal's write) when no reply came
 * @param end the agent's reply to the thaw that its freeze status then confirmed (the guest is
 *     thawed before the agent replies, so start..end is an upper bound of the frozen time); the
 *     status's reply when the thaw call itself failed
 * @param durationMs {@code end - start} in milliseconds
 * @param filesystemsFrozen what the freeze reply counted; 0 means nothing was frozen, and a
 *     snapshot taken in this window must not be called filesystem-consistent
 * @param thawedBy who ended the freeze
 * @param staleFreezeThawedFirst the guest was already frozen with no freeze of ours behind it, and
 *     was thawed before this freeze
 */
public record FreezeWindow(
    GuestRef guest,
    Instant start,
    Instant end,
    long durationMs,
    int filesystemsFrozen,
    ThawedBy thawedBy,
    boolean staleFreezeThawedFirst) {

  /** True when the agent reported at least one filesystem frozen. */
  public boolean anyFilesystemFrozen() {
    return filesystemsFrozen > 0;
  }
}
