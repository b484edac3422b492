package io.quiesce.snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which waiting snapshots may start freezing now, so that a schedule over hundreds of VMs
 * does not freeze them all in the same second: at most one freeze per VM, at most {@code
 * clusterCap} at once in the cluster and {@code nodeCap} per node, and the queue drains in order
 * (oldest first, then by name, so every operator replica would decide the same). Snapshots of
 * stopped VMs ({@code node == null}) need no freeze and are not capped.
 */
public final class FreezeAdmission {
  private final int clusterCap;
  private final int nodeCap;

  public FreezeAdmission(int clusterCap, int nodeCap) {
    if (clusterCap < 1 || nodeCap < 1) {
      throw new IllegalArgumentException("caps must be at least 1");
    }
    this.clusterCap = clusterCap;
    this.nodeCap = nodeCap;
  }

  /** A snapshot that wants to start, or one that is running (holding a freeze slot). */
  public record Entry(String namespace, String name, String vm, String node, Instant created) {
    String vmKey() {
      return namespace + "/" + vm;
    }
  }

  /** The waiting entries that may start now, in queue order. */
  public List<Entry> admit(List<Entry> waiting, List<Entry> running) {
    Set<String> busyVms = new HashSet<>();
    Map<String, Integer> perNode = new HashMap<>();
    int inFlight = 0;
    for (Entry r : running) {
      busyVms.add(r.vmKey());
      if (r.node() != null) {
        perNode.merge(r.node(), 1, Integer::sum);
        inFlight++;
      }
    }
    List<Entry> queue = new ArrayList<>(waiting);
    queue.sort(
        Comparator.comparing(Entry::created)
            .thenComparing(Entry::namespace)
            .thenComparing(Entry::name));
    List<Entry> admitted = new ArrayList<>();
    for (Entry e : queue) {
      if (!busyVms.add(e.vmKey())) {
        continue; // one at a time per VM; the older one goes first
      }
      if (e.node() == null) {
        admitted.add(e);
        continue;
      }
      if (inFlight >= clusterCap || perNode.getOrDefault(e.node(), 0) >= nodeCap) {
        continue; // keeps its place in the queue; a later entry on a free node may go
      }
      perNode.merge(e.node(), 1, Integer::sum);
      inFlight++;
      admitted.add(e);
    }
    return admitted;
  }
}
