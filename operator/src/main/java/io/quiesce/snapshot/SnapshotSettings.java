package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How the snapshot reconciler behaves.
 *
 * @param maxConcurrentFreezes most guests frozen at once in the cluster
 * @param maxFreezesPerNode    most guests frozen at once on one node
 * @param defaultChannel       the cluster default channel (below a snapshot's spec and a VM's annotation);
 *                             null means none (auto)
 * @param operatorNamespace    where the helpers' heartbeat Leases live
 * @param helperStaleAfter     a helper whose Lease was renewed longer ago than this is taken as gone
 * @param waitRequeue          how soon a waiting snapshot looks again
 * @param clock                the time source (tests may fix it)
 */
public record SnapshotSettings(int maxConcurrentFreezes, int maxFreezesPerNode, QuiesceChannel defaultChannel,
        String operatorNamespace, Duration helperStaleAfter, Duration waitRequeue, Clock clock) {

    /** Three times the helper's 10 s renew interval (see the issue 4 contract). */
    public static final Duration DEFAULT_HELPER_STALE_AFTER = Duration.ofSeconds(30);

    public SnapshotSettings {
        if (maxConcurrentFreezes < 1 || maxFreezesPerNode < 1) {
            throw new IllegalArgumentException("freeze caps must be at least 1");
        }
        Objects.requireNonNull(operatorNamespace);
        Objects.requireNonNull(helperStaleAfter);
        Objects.requireNonNull(waitRequeue);
        Objects.requireNonNull(clock);
    }
}
