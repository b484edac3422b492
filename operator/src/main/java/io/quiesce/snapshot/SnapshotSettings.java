package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How the snapshot reconciler behaves.
 *
 * @param maxConcurrentFreezes most guests frozen at once in the cluster
 * @param maxFreezesPerNode most guests frozen at once on one node
 * @param defaultChannel the cluster default channel (below a snapshot's spec and a VM's
 *     annotation); null means none (auto)
 * @param operatorNamespace where the helpers' heartbeat Leases live
 * @param helperStaleAfter a helper whose Lease was renewed longer ago than this is taken as gone
 * @param waitRequeue how soon a waiting snapshot looks again
 * @param clock the time source (tests may fix it)
 * @param freezeTimeoutMax the longest freeze window, whatever {@code quiesce.timeout} asks: the
 *     chart's {@code freeze.timeoutMaxSeconds}, as the node helper gets it ({@code
 *     QUIESCE_FREEZE_TIMEOUT_MAX}); caps KubeVirt's {@code unfreezeTimeout}
 * @param shard this operator's shard name ({@code QUIESCE_SHARD}), or null when it is the only
 *     operator: a shard has its own freeze slot Leases, so its caps are its own
 */
public record SnapshotSettings(
    int maxConcurrentFreezes,
    int maxFreezesPerNode,
    QuiesceChannel defaultChannel,
    String operatorNamespace,
    Duration helperStaleAfter,
    Duration waitRequeue,
    Clock clock,
    Duration freezeTimeoutMax,
    String shard) {

  /** Three times the helper's 10 s renew interval (see the issue 4 contract). */
  public static final Duration DEFAULT_HELPER_STALE_AFTER = Duration.ofSeconds(30);

  /** The chart's default {@code freeze.timeoutMaxSeconds}. */
  public static final Duration DEFAULT_FREEZE_TIMEOUT_MAX = Duration.ofSeconds(30);

  /** Settings of an operator that is not a shard. */
  public SnapshotSettings(
      int maxConcurrentFreezes,
      int maxFreezesPerNode,
      QuiesceChannel defaultChannel,
      String operatorNamespace,
      Duration helperStaleAfter,
      Duration waitRequeue,
      Clock clock,
      Duration freezeTimeoutMax) {
    this(
        maxConcurrentFreezes,
        maxFreezesPerNode,
        defaultChannel,
        operatorNamespace,
        helperStaleAfter,
        waitRequeue,
        clock,
        freezeTimeoutMax,
        null);
  }

  /** Settings with the default {@link #DEFAULT_FREEZE_TIMEOUT_MAX}. */
  public SnapshotSettings(
      int maxConcurrentFreezes,
      int maxFreezesPerNode,
      QuiesceChannel defaultChannel,
      String operatorNamespace,
      Duration helperStaleAfter,
      Duration waitRequeue,
      Clock clock) {
    this(
        maxConcurrentFreezes,
        maxFreezesPerNode,
        defaultChannel,
        operatorNamespace,
        helperStaleAfter,
        waitRequeue,
        clock,
        DEFAULT_FREEZE_TIMEOUT_MAX);
  }

  public SnapshotSettings {
    Objects.requireNonNull(freezeTimeoutMax);
    if (freezeTimeoutMax.isZero() || freezeTimeoutMax.isNegative()) {
      throw new IllegalArgumentException("freezeTimeoutMax must be positive");
    }
    if (maxConcurrentFreezes < 1 || maxFreezesPerNode < 1) {
      throw new IllegalArgumentException("freeze caps must be at least 1");
    }
    Objects.requireNonNull(operatorNamespace);
    Objects.requireNonNull(helperStaleAfter);
    Objects.requireNonNull(waitRequeue);
    Objects.requireNonNull(clock);
  }
}
