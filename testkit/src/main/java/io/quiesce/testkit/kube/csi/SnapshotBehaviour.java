package io.quiesce.testkit.kube.csi;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link FakeSnapshotter} handles one snapshot (set per PVC or per VolumeSnapshot).
 *
 * @param outcome what eventually happens
 * @param cutDelay time from binding to the cut, or null for the snapshotter's default
 * @param failureMessage the {@code status.error.message} for {@link Outcome#FAIL}
 */
public record SnapshotBehaviour(Outcome outcome, Duration cutDelay, String failureMessage) {

  /** What the storage system does with the snapshot. */
  public enum Outcome {
    /** Cut, then ready to use. */
    READY,
    /** Error reported in {@code status.error}; never cut. */
    FAIL,
    /** Bound, but the storage never cuts it (no {@code creationTime}). */
    NEVER_CUT,
    /** Cut ({@code creationTime} set) but never {@code readyToUse}. */
    CUT_NEVER_READY
  }

  public SnapshotBehaviour {
    Objects.requireNonNull(outcome, "outcome");
  }

  /** Cut after the default delay, ready after the default delay. */
  public static SnapshotBehaviour normal() {
    return new SnapshotBehaviour(Outcome.READY, null, null);
  }

  /** Like {@link #normal()}, but the cut takes this long. */
  public static SnapshotBehaviour slowCut(Duration cutDelay) {
    return new SnapshotBehaviour(Outcome.READY, Objects.requireNonNull(cutDelay), null);
  }

  /** The driver fails with this message (after the cut delay). */
  public static SnapshotBehaviour fail(String message) {
    return new SnapshotBehaviour(Outcome.FAIL, null, Objects.requireNonNull(message));
  }

  public static SnapshotBehaviour neverCut() {
    return new SnapshotBehaviour(Outcome.NEVER_CUT, null, null);
  }

  public static SnapshotBehaviour cutButNeverReady() {
    return new SnapshotBehaviour(Outcome.CUT_NEVER_READY, null, null);
  }
}
