package io.quiesce.window;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.freeze.GuestPreflight;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The {@link GuestPreflight} of one QuiescedSnapshot: how long its window may wait for the guest's
 * agent.
 */
final class SnapshotPreflight {
  /**
   * Left between the end of the wait and the failureDeadline beyond the freeze itself: time to
   * freeze, thaw and write the record before the operator gives up on this helper.
   */
  static final Duration RECORD_MARGIN = Duration.ofSeconds(5);

  private SnapshotPreflight() {}

  /**
   * Waits for the agent until the snapshot's failureDeadline minus its freeze timeout and {@link
   * #RECORD_MARGIN}; with no time left, the agent gets one attempt.
   */
  static GuestPreflight of(QuiescedSnapshot snapshot, Duration freezeTimeout, Clock clock) {
    Instant readyBy = null;
    try {
      if (snapshot.getMetadata().getCreationTimestamp() != null) {
        readyBy = SnapshotSpecs.deadline(snapshot).minus(freezeTimeout).minus(RECORD_MARGIN);
      }
    } catch (RuntimeException e) {
      readyBy = null; // a malformed deadline: no wait (the operator fails such a snapshot)
    }
    return GuestPreflight.waitingUntil(readyBy, clock);
  }
}
