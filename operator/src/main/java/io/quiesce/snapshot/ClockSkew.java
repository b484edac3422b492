package io.quiesce.snapshot;

import java.time.Duration;

/**
 * How far apart the clocks that stamp a snapshot's times may be: the node's (the helper's freeze
 * window and heartbeat), the operator's and the storage's ({@code creationTime} of a cut). NTP
 * keeps nodes within milliseconds; a few seconds is what a node that lost its time source drifts to
 * before anyone notices, and what this tolerance absorbs.
 */
final class ClockSkew {
  /** The skew tolerated between any two of the cluster's clocks. */
  static final Duration TOLERANCE = Duration.ofSeconds(5);

  private ClockSkew() {}
}
