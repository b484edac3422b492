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

  /** The most freezes at once on one node. */
  int nodeCap() {
    return nodeCap;
  }

  /** A snapshot that wants to start, or one that is running (holding a freeze slot). */
  public record Entry(String namespace, String name, String vm, String node, Instant created) {
    String vmKey() {
      return namespace + "/" + vm;
    }
  }

  /**
   * What waits for freeze slots as one: a single snapshot (one entry) or a consistency group (one
   * entry per VM, all with the group snapshot's namespace, name and creation time), admitted only
   * whole.
   */
  public record Request(List<Entry> members) {
    public Request {
      if (members.isEmpty()) {
        throw new IllegalArgumentException("a request freezes at least one VM");
      }
      members = List.copyOf(members);
    }

    Entry head() {
      return members.get(0);
    }
  }

  /**
   * Whether {@code r} can ever be admitted: its VMs that need a freeze fit the cluster cap and each
   * node's cap. One that does not would wait forever and is failed by its caller instead.
   */
  public boolean fits(Request r) {
    Map<String, Integer> perNode = new HashMap<>();
    int slots = 0;
    for (Entry e : r.members()) {
      if (e.node() != null) {
        slots++;
        if (perNode.merge(e.node(), 1, Integer::sum) > nodeCap) {
          return false;
        }
      }
    }
    return slots <= clusterCap;
  }

  /**
   * The waiting requests that may start now, in queue order, each admitted whole or not at all (so
   * no request ever holds some slots while it waits for others: no hold-and-wait, no deadlock). A
   * group that must wait keeps the capacity behind it: no later request that needs a slot passes
   * it, so a stream of singles cannot starve a group. Requests that never {@link #fits fit} are
   * left out and reserve nothing.
   */
  public List<Request> admitWhole(List<Request> waiting, List<Entry> running) {
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
    List<Request> queue = new ArrayList<>(waiting);
    queue.sort(
        Comparator.comparing((Request r) -> r.head().created())
            .thenComparing(r -> r.head().namespace())
            .thenComparing(r -> r.head().name()));
    List<Request> admitted = new ArrayList<>();
    boolean reserved = false;
    for (Request r : queue) {
      if (!fits(r)) {
        continue;
      }
      boolean vmFree = r.members().stream().noneMatch(e -> busyVms.contains(e.vmKey()));
      Map<String, Integer> need = new HashMap<>();
      r.members().stream()
          .filter(e -> e.node() != null)
          .forEach(e -> need.merge(e.node(), 1, Integer::sum));
      int slots = need.values().stream().mapToInt(Integer::intValue).sum();
      boolean capacity =
          inFlight + slots <= clusterCap
              && need.entrySet().stream()
                  .allMatch(n -> perNode.getOrDefault(n.getKey(), 0) + n.getValue() <= nodeCap);
      boolean admit = vmFree && (slots == 0 || (!reserved && capacity));
      r.members().forEach(e -> busyVms.add(e.vmKey())); // an older request of a VM goes first
      if (admit) {
        need.forEach((node, n) -> perNode.merge(node, n, Integer::sum));
        inFlight += slots;
        admitted.add(r);
      } else if (r.members().size() > 1) {
        reserved = true; // a waiting group holds its place against later requests for slots
      }
    }
    return admitted;
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
