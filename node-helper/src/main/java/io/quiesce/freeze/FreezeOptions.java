package io.quiesce.freeze;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What to freeze and for how long at most.
 *
 * @param mountpoints guest mountpoints to freeze ({@code guest-fsfreeze-freeze-list}); empty means
 *     every freezable filesystem
 * @param timeout the longest the guest may stay frozen; the watchdog thaws at start + timeout
 * @param preflight the checks before the freeze command ({@link GuestPreflight}); null: none
 */
public record FreezeOptions(List<String> mountpoints, Duration timeout, GuestPreflight preflight) {
  private static final int MAX_MOUNTPOINTS = 256;
  private static final int MAX_MOUNTPOINT_LENGTH = 4096;

  public FreezeOptions {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("freeze timeout must be positive, was " + timeout);
    }
    mountpoints = List.copyOf(Objects.requireNonNull(mountpoints, "mountpoints"));
    if (mountpoints.size() > MAX_MOUNTPOINTS) {
      throw new IllegalArgumentException("at most " + MAX_MOUNTPOINTS + " mountpoints");
    }
    mountpoints.forEach(FreezeOptions::checkMountpoint);
  }

  /** Options without preflight checks. */
  public FreezeOptions(List<String> mountpoints, Duration timeout) {
    this(mountpoints, timeout, null);
  }

  /** These options with {@code preflight} checks. */
  public FreezeOptions withPreflight(GuestPreflight checks) {
    return new FreezeOptions(mountpoints, timeout, checks);
  }

  /** Freezes every freezable filesystem of the guest. */
  public static FreezeOptions allFilesystems(Duration timeout) {
    return new FreezeOptions(List.of(), timeout);
  }

  // Mountpoints go to the guest, not to a host path; still refuse what no guest path contains.
  private static void checkMountpoint(String mountpoint) {
    if (mountpoint.isBlank()
        || mountpoint.length() > MAX_MOUNTPOINT_LENGTH
        || mountpoint.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "invalid mountpoint: " + mountpoint.replaceAll("\\p{Cntrl}", "?"));
    }
  }
}
