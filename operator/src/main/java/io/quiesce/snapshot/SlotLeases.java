package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.DirectWrites;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.FreezeSlots.Grant;
import io.quiesce.snapshot.FreezeSlots.Kind;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freeze slots in the cluster: one Lease {@code quiesce-slot-<i>} per slot of the cap, in the
 * operator's namespace, whose holder is the uid of the snapshot granted that slot. A grant of
 * {@link FreezeSlots} is written here with compare-and-swap (an update carrying the resourceVersion
 * this process last saw) before the write that can lead to a freeze, so two operators (a paused
 * former leader and the new one) can never hand out the same slot; the node helper checks the Lease
 * names its snapshot right before it freezes. A Lease is never released by a write: it is free once
 * its holder's freeze is over ({@link FreezeSlots#freezeOver}, evidence that never goes away), and
 * the next grant simply takes it over. One update per freeze, no more.
 */
final class SlotLeases {
  private static final Logger LOG = LoggerFactory.getLogger(SlotLeases.class);
  static final String SLOT_LABEL = Provenance.PREFIX + "freeze-slot";
  static final String SNAPSHOT_ANNOTATION = Provenance.PREFIX + "snapshot";
  static final String NODE_ANNOTATION = Provenance.NODE;
  static final String KIND_ANNOTATION = Provenance.PREFIX + "freeze-kind";
  private static final java.util.regex.Pattern SLOT_DIGITS =
      java.util.regex.Pattern.compile("[0-9]{1,6}");

  /**
   * Which operator process wrote the Lease's current grant: after a failed swap, a Lease naming our
   * snapshot is our own swap (landed, reply lost) only when this process wrote it; another
   * operator's grant of the same snapshot is that operator's, and this one must not assign under
   * it.
   */
  static final String GRANTED_BY_ANNOTATION = Provenance.PREFIX + "slot-granted-by";

  private final KubernetesClient client;
  private final DirectWrites writes;
  private final String namespace;

  /** This process's identity on the grants it writes. */
  private final String grantedBy = java.util.UUID.randomUUID().toString();

  private final Clock clock;

  /**
   * {@code quiesce-slot-}, or {@code quiesce-slot-<shard>-} for a shard: each shard has its own
   * slots.
   */
  private final String prefix;

  /** The last version of each slot Lease this process saw or wrote: the basis of its next swap. */
  private final Map<Integer, Lease> known = new ConcurrentHashMap<>();

  private final Map<Integer, Object> locks = new ConcurrentHashMap<>();

  /**
   * The threads of {@link #acquireBeside}'s swaps: at most one per reconcile thread, since each
   * waits for its swap; idle ones end after a minute.
   */
  private static final ExecutorService SWAPS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "quiesce-slot-swap");
            t.setDaemon(true);
            return t;
          });

  SlotLeases(KubernetesClient client, String namespace, Clock clock) {
    this(client, namespace, clock, null);
  }

  /**
   * @param shard the operator's shard name, or null when it is the only operator
   */
  SlotLeases(KubernetesClient client, String namespace, Clock clock, String shard) {
    this.client = client;
    this.writes = new DirectWrites(client);
    this.namespace = namespace;
    this.clock = clock;
    this.prefix = Provenance.FREEZE_SLOT_LEASE_PREFIX + (shard == null ? "" : shard + "-");
  }

  String leaseName(int slot) {
    return prefix + slot;
  }

  /** Who a slot Lease names, as a grant held elsewhere (its node may be unknown). */
  record Holder(int slot, String uid, String namespace, String name, String node, Kind kind) {
    /** The grant this holder has, built from a copy of its snapshot. */
    Grant asGrant(QuiescedSnapshot s) {
      String at = node != null ? node : s.getStatus() != null ? s.getStatus().getNodeName() : null;
      return new Grant(
          new Entry(
              namespace,
              name,
              s.getSpec().getSource(),
              Objects.requireNonNullElse(at, "unknown"),
              SnapshotSpecs.created(s)),
          uid,
          slot,
          kind,
          true,
          false);
    }
  }

  /** Every slot Lease's holder, read once (one list) when this process starts granting. */
  List<Holder> load() {
    List<Holder> holders = new ArrayList<>();
    for (Lease l : client.leases().inNamespace(namespace).withLabel(SLOT_LABEL).list().getItems()) {
      Optional<Integer> slot = slotOf(l.getMetadata().getName());
      if (slot.isEmpty()) {
        continue;
      }
      known.put(slot.get(), l);
      holderOf(slot.get(), l).ifPresent(holders::add);
    }
    return holders;
  }

  /**
   * What the grant ledger does under a slot's lock, so that no other grant of the same slot runs
   * between this process learning who holds it and the ledger counting that holder.
   */
  interface Ledger {
    /** Whether {@code grant} is still the ledger's grant of its slot (none adopted over it). */
    boolean holds(Grant grant);

    /**
     * Whether the freeze of the snapshot a slot Lease names may not be over yet: the Lease is never
     * swapped away from such a holder, whoever wrote it (another operator, or this one under a
     * grant its ledger gave back after a refused write).
     */
    boolean mayStillFreeze(Holder holder);

    /**
     * The swap of {@code grant} failed: it is given back, and {@code holder} (who the Lease names
     * now, or an empty holder) is counted while its freeze may not be over.
     */
    void lost(Grant grant, Holder holder);
  }

  /**
   * Names {@code grant}'s snapshot as the holder of its slot's Lease, swapping from the version
   * this process last saw, unless the ledger no longer holds the grant.
   *
   * @return empty when the Lease names it now; else the holder that took the slot meanwhile (an
   *     empty-holder placeholder when the Lease changed but names nobody, or when the grant was
   *     withdrawn), already passed to {@link Ledger#lost}
   */
  Optional<Holder> acquire(Grant grant, Ledger ledger) {
    int slot = grant.slot();
    synchronized (locks.computeIfAbsent(slot, i -> new Object())) {
      Optional<Holder> lost = swap(grant, ledger);
      lost.ifPresent(holder -> ledger.lost(grant, holder));
      return lost;
    }
  }

  /**
   * What {@link #acquireBeside} did: the swap's outcome, as {@link #acquire}'s, and the write's.
   */
  record Beside<T>(Optional<Holder> lost, T written) {}

  /**
   * {@link #acquire} on a thread of its own while {@code write} runs on this one, for a write that
   * cannot lead to a freeze by itself (the assignment's node label and slot name: a helper runs
   * only InProgress snapshots), so that a hand-off waits for one round trip here, not two; the
   * write that can lead to a freeze still waits for the swap. Returns once both are done.
   *
   * @throws RuntimeException what {@code write} threw (the swap done, a loss already passed to the
   *     ledger), else what the swap threw
   */
  <T> Beside<T> acquireBeside(Grant grant, Ledger ledger, Supplier<T> write) {
    CompletableFuture<Optional<Holder>> swap =
        CompletableFuture.supplyAsync(() -> acquire(grant, ledger), SWAPS);
    T written;
    try {
      written = write.get();
    } catch (RuntimeException e) {
      try {
        swap.join();
      } catch (CompletionException swapFailed) {
        e.addSuppressed(swapFailed.getCause());
      }
      throw e;
    }
    try {
      return new Beside<>(swap.join(), written);
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private Optional<Holder> swap(Grant grant, Ledger ledger) {
    int slot = grant.slot();
    if (!ledger.holds(grant)) {
      // another reconcile learned the slot is held elsewhere after this grant was made
      return Optional.of(new Holder(slot, null, null, null, null, Kind.HELPER));
    }
    Lease basis = known.get(slot);
    if (basis == null) {
      basis = client.leases().inNamespace(namespace).withName(leaseName(slot)).get();
      if (basis == null) {
        try {
          known.put(
              slot, client.leases().inNamespace(namespace).resource(held(null, grant)).create());
          LOG.debug("{} created for {} by {}", leaseName(slot), grant.key(), grantedBy);
          return Optional.empty();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          return lost(slot, grant);
        }
      }
      known.put(slot, basis);
    }
    Optional<Holder> previous = holderOf(slot, basis);
    if (previous.isPresent()
        && !previous.get().uid().equals(grant.uid())
        && ledger.mayStillFreeze(previous.get())) {
      return previous; // counted by the ledger until its freeze is over; the grant waits
    }
    if (grant.kind() == Kind.GROUP
        && previous.isPresent()
        && previous.get().uid().equals(grant.uid())
        && !grantedBy.equals(annotation(basis, GRANTED_BY_ANNOTATION))) {
      // another operator's grant of this very group: it may be freezing under it, and a group's
      // slots taken here may be given back by a write (release), which must never hit its cover
      return lost(slot, grant);
    }
    try {
      known.put(slot, writes.update(held(basis, grant)));
      LOG.debug(
          "{} swapped from {} to {} by {}",
          leaseName(slot),
          holderOf(slot, basis).map(h -> h.namespace() + "/" + h.name()).orElse("nobody"),
          grant.key(),
          grantedBy);
      return Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return lost(slot, grant);
    }
  }

  /**
   * Gives a slot Lease back that {@code grant} took while its group could not take all of its
   * slots: nothing froze under it, so it names nobody again (a compare-and-swap from the version
   * this process wrote; if anyone changed the Lease since, it is theirs and stays as it is). Only a
   * consistency group's all-or-none acquisition does this, before its window starts: a Lease under
   * which a freeze may have started is never given back by a write.
   */
  void release(Grant grant) {
    int slot = grant.slot();
    synchronized (locks.computeIfAbsent(slot, i -> new Object())) {
      Lease basis = known.get(slot);
      Optional<Holder> holder = basis == null ? Optional.empty() : holderOf(slot, basis);
      if (holder.isEmpty()
          || !holder.get().uid().equals(grant.uid())
          || !grantedBy.equals(annotation(basis, GRANTED_BY_ANNOTATION))) {
        return;
      }
      Map<String, String> annotations = new HashMap<>(basis.getMetadata().getAnnotations());
      annotations.remove(SNAPSHOT_ANNOTATION);
      annotations.remove(NODE_ANNOTATION);
      annotations.remove(KIND_ANNOTATION);
      Lease free =
          new LeaseBuilder(basis)
              .editMetadata()
              .withAnnotations(annotations)
              .endMetadata()
              .editSpec()
              .withHolderIdentity(null)
              .endSpec()
              .build();
      try {
        known.put(slot, writes.update(free));
        LOG.debug(
            "{} given back by {} ({} did not take every slot)",
            leaseName(slot),
            grantedBy,
            grant.key());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        Lease now = client.leases().inNamespace(namespace).withName(leaseName(slot)).get();
        if (now == null) {
          known.remove(slot);
        } else {
          known.put(slot, now);
        }
      }
    }
  }

  /**
   * The holder's snapshot while its freeze may not be over, as far as this process can tell: empty
   * when the list shows its freeze over, or when the snapshot is gone (one GET, only for holders
   * the list does not have: after a failover or a lost swap).
   */
  Optional<QuiescedSnapshot> stillFreezing(Holder h, Collection<QuiescedSnapshot> list) {
    return stillFreezing(
        h,
        (ns, name) ->
            list.stream()
                .filter(
                    s ->
                        ns.equals(s.getMetadata().getNamespace())
                            && name.equals(s.getMetadata().getName()))
                .findFirst());
  }

  /**
   * The same, with the holder's snapshot looked up by namespace and name in a cache (one look-up,
   * not a walk over every snapshot).
   */
  Optional<QuiescedSnapshot> stillFreezing(
      Holder h, BiFunction<String, String, Optional<QuiescedSnapshot>> cached) {
    if (h.uid() == null || h.namespace() == null || h.name() == null) {
      return Optional.empty();
    }
    QuiescedSnapshot found =
        cached
            .apply(h.namespace(), h.name())
            .filter(s -> h.uid().equals(s.getMetadata().getUid()))
            .orElse(null);
    if (found == null) {
      found =
          client
              .resources(QuiescedSnapshot.class)
              .inNamespace(h.namespace())
              .withName(h.name())
              .get();
    }
    return found != null
            && h.uid().equals(found.getMetadata().getUid())
            && found.getSpec() != null
            && !FreezeSlots.freezeOver(h.kind(), found.getStatus())
        ? Optional.of(found)
        : Optional.empty();
  }

  /**
   * The swap failed: the stored Lease becomes the basis of the next one, and its holder is
   * returned.
   */
  private Optional<Holder> lost(int slot, Grant grant) {
    Lease now = client.leases().inNamespace(namespace).withName(leaseName(slot)).get();
    if (now == null) {
      known.remove(slot);
      return Optional.of(new Holder(slot, null, null, null, null, Kind.HELPER));
    }
    known.put(slot, now);
    Optional<Holder> holder = holderOf(slot, now);
    if (holder.isPresent()
        && grant.uid() != null
        && grant.uid().equals(holder.get().uid())
        && grantedBy.equals(annotation(now, GRANTED_BY_ANNOTATION))) {
      return Optional.empty(); // our own swap landed although its reply was lost
    }
    return Optional.of(holder.orElse(new Holder(slot, null, null, null, null, Kind.HELPER)));
  }

  private Lease held(Lease basis, Grant grant) {
    Entry e = grant.entry();
    Map<String, String> annotations = new HashMap<>();
    if (basis != null && basis.getMetadata().getAnnotations() != null) {
      annotations.putAll(basis.getMetadata().getAnnotations());
    }
    annotations.put(SNAPSHOT_ANNOTATION, e.namespace() + "/" + e.name());
    annotations.put(NODE_ANNOTATION, String.valueOf(e.node()));
    annotations.put(KIND_ANNOTATION, grant.kind().name());
    annotations.put(GRANTED_BY_ANNOTATION, grantedBy);
    ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    Integer transitions =
        basis == null || basis.getSpec() == null ? null : basis.getSpec().getLeaseTransitions();
    LeaseBuilder b =
        basis == null
            ? new LeaseBuilder()
                .withNewMetadata()
                .withName(leaseName(grant.slot()))
                .withNamespace(namespace)
                .endMetadata()
            : new LeaseBuilder(basis);
    return b.editMetadata()
        .addToLabels(SLOT_LABEL, "true")
        .addToLabels(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE)
        .withAnnotations(annotations)
        .endMetadata()
        .editOrNewSpec()
        .withHolderIdentity(grant.uid())
        .withAcquireTime(now)
        .withRenewTime(now)
        .withLeaseTransitions(transitions == null ? 0 : transitions + 1)
        .endSpec()
        .build();
  }

  private static String annotation(Lease l, String name) {
    Map<String, String> a = l.getMetadata().getAnnotations();
    return a == null ? null : a.get(name);
  }

  private static Optional<Holder> holderOf(int slot, Lease l) {
    String uid = l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    Map<String, String> a = Objects.requireNonNullElse(l.getMetadata().getAnnotations(), Map.of());
    String key = a.get(SNAPSHOT_ANNOTATION);
    if (uid == null || key == null || key.indexOf('/') < 1) {
      return Optional.empty();
    }
    Kind kind =
        switch (Objects.requireNonNullElse(a.get(KIND_ANNOTATION), "")) {
          case "KUBEVIRT" -> Kind.KUBEVIRT;
          case "GROUP" -> Kind.GROUP;
          default -> Kind.HELPER;
        };
    return Optional.of(
        new Holder(
            slot,
            uid,
            key.substring(0, key.indexOf('/')),
            key.substring(key.indexOf('/') + 1),
            a.get(NODE_ANNOTATION),
            kind));
  }

  /**
   * The slot index of one of this operator's slot Leases; empty for another shard's (or any other)
   * Lease.
   */
  private Optional<Integer> slotOf(String leaseName) {
    String digits = leaseName.substring(Math.min(leaseName.length(), prefix.length()));
    if (!leaseName.startsWith(prefix) || !SLOT_DIGITS.matcher(digits).matches()) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(digits));
  }
}
