package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a node helper's heartbeat Lease is fresh, judged on the operator's own clock: the age of
 * a heartbeat is the time since the operator saw the Lease's resourceVersion change, not the
 * difference between the node's {@code renewTime} and the operator's clock, which a skew between
 * the two would shift. Only the first sight of a Lease has nothing but {@code renewTime} to go by;
 * it is then given the benefit of {@link ClockSkew#TOLERANCE}.
 */
final class HelperHeartbeats {
  private final Duration staleAfter;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  private record Seen(String resourceVersion, Instant at) {}

  HelperHeartbeats(Duration staleAfter) {
    this.staleAfter = staleAfter;
  }

  /**
   * True when {@code lease} (null when missing) was renewed less than staleAfter ago, by the
   * operator's clock.
   */
  boolean alive(String node, Lease lease, Instant now) {
    if (lease == null
        || lease.getSpec() == null
        || lease.getSpec().getRenewTime() == null
        || lease.getMetadata() == null
        || lease.getMetadata().getResourceVersion() == null) {
      seen.remove(node);
      return false;
    }
    String version = lease.getMetadata().getResourceVersion();
    Seen last =
        seen.compute(
            node,
            (n, old) -> {
              if (old != null && old.resourceVersion().equals(version)) {
                return old;
              }
              if (old != null) {
                return new Seen(version, now); // renewed since the last look: renewed at most now
              }
              // first sight: the node's renewTime, which may be off by the skew, but never in our
              // future
              Instant renewed =
                  lease.getSpec().getRenewTime().toInstant().plus(ClockSkew.TOLERANCE);
              return new Seen(version, renewed.isAfter(now) ? now : renewed);
            });
    return last.at().plus(staleAfter).isAfter(now);
  }
}
