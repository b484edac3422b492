package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.Observation.Admission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The grant ledger of the cluster freeze cap: who holds one of the {@code clusterCap} freeze slots,
 * under one lock. A grant is taken before any write that can lead to a freeze (the assignment to a
 * node helper, a freeze through KubeVirt, the KubeVirt fallback after {@code NoAgentChannel}) and
 * is released only on evidence that its freeze is over: the freeze record it waits for, a terminal
 * phase, or the snapshot deleted. Such evidence never goes away again, so any copy of a snapshot,
 * however old, may release a grant; and no copy, however old, can make a grant disappear. The queue
 * ({@link AdmissionQueue}, kept from the informer's events, or a list passed in) only chooses who
 * goes next (the queue order and the per-VM rule), it never counts who is frozen: it may be older
 * than the last grant.
 *
 * <p>Each grant names a slot index; {@link SlotLeases} writes it to the Lease {@code
 * quiesce-slot-<i>} with compare-and-swap, so that a second operator (a paused former leader)
 * cannot hand out the same slot, and the node helper checks that Lease before it freezes.
 */
public final class FreezeSlots {
  private static final Logger LOG = LoggerFactory.getLogger(FreezeSlots.class);
  private final FreezeAdmission admission;
  private final int clusterCap;

  /**
   * By "namespace/name"; a second slot whose Lease names the same snapshot (adopted while this
   * process was granting it another) by "namespace/name@slot", so that both count until the
   * snapshot's freeze is over.
   */
  private final Map<String, Grant> grants = new HashMap<>();

  /** The queue, kept from {@link #observe} and {@link #forget}. */
  private final AdmissionQueue queue = new AdmissionQueue();

  /** See {@link #cost()}. */
  private long visited;

  private long decisions;
  private long mostVisited;

  /** How many times a grant (or a waiting group's place) was given up: see {@link #releases()}. */
  private long releases;

  /**
   * Uids of snapshots whose grant was released on evidence that their freeze is over (the latest
   * {@value #OVER_REMEMBERED}): a slot Lease naming one of them may be swapped without looking it
   * up again. Evidence never goes away, so remembering it is always right; forgetting only costs a
   * look-up.
   */
  private final Set<String> over = new LinkedHashSet<>();

  private static final int OVER_REMEMBERED = 4096;

  /**
   * Consistency groups that wait to be admitted whole, by their key prefix: until admitted (or
   * given up), nothing created after one of them takes a slot (see {@link #reservedFor}).
   */
  private final Map<String, FreezeAdmission.Request> waitingWhole = new HashMap<>();

  /** What the grant's freeze is; it decides which freeze record is the evidence that it ended. */
  public enum Kind {
    /** The node helper freezes: any freeze record of the helper ends it. */
    HELPER,
    /** The operator freezes through KubeVirt: only KubeVirt's freeze record ends it. */
    KUBEVIRT,
    /**
     * One VM of a consistency group ({@code spec.sources}), frozen by the operator's group window:
     * the window's record on the group ({@code status.consistency}) or a terminal phase ends it.
     */
    GROUP
  }

  /**
   * One held slot.
   *
   * @param entry the snapshot, with the node of its freeze
   * @param uid the snapshot's uid (null in unit tests of snapshots without one)
   * @param slot the slot index: the Lease {@code quiesce-slot-<slot>}
   * @param kind the freeze it is for (decided when committed)
   * @param committed a write that can lead to a freeze was (or may have been) made under it
   * @param fresh taken by the reconcile running now for this snapshot, not settled yet
   */
  public record Grant(
      Entry entry, String uid, int slot, Kind kind, boolean committed, boolean fresh) {
    String key() {
      return FreezeSlots.key(entry.namespace(), entry.name());
    }
  }

  public FreezeSlots(int clusterCap, int nodeCap) {
    this.admission = new FreezeAdmission(clusterCap, nodeCap);
    this.clusterCap = clusterCap;
  }

  /** {@link #tryAdmit(Entry, String, Collection)} of a snapshot without a uid (unit tests). */
  public Admission tryAdmit(Entry me, Collection<QuiescedSnapshot> list) {
    return tryAdmit(me, null, list);
  }

  /**
   * Decides whether {@code me} may start now and, if it may and needs a freeze ({@code node} set),
   * grants it a slot. A snapshot that holds a grant keeps it and may go on. A new grant is {@link
   * Grant#fresh() fresh}: the caller {@link #commit}s it before the write that can lead to a freeze
   * and {@link #settle}s it at the end of the reconcile (an uncommitted one is given back). The
   * queue is the one kept from {@link #observe} and {@link #forget}: this looks at the snapshots
   * ahead of {@code me} only until the caps are reached, not at every snapshot.
   *
   * @param me the snapshot, with the node its freeze would run on (null when its VM is stopped)
   * @param uid its uid
   */
  public synchronized Admission tryAdmit(Entry me, String uid) {
    long from = visited;
    Admission a = decide(me, uid, queue, false);
    decided(from);
    return a;
  }

  /**
   * The same, ordered by {@code list} instead of the queue kept from events (each call looks at
   * every snapshot of the list).
   *
   * @param list QuiescedSnapshots of any age: they release grants on evidence and order the queue
   */
  public synchronized Admission tryAdmit(Entry me, String uid, Collection<QuiescedSnapshot> list) {
    return decideOver(me, uid, list, false);
  }

  /**
   * The same for a snapshot that started already and needs a freeze now (the KubeVirt fallback):
   * its VM is its own, so only another freeze of that VM (a grant) makes it wait, not the started
   * or queued snapshots of that VM (they wait for it: counting them would deadlock both). The grant
   * is a {@link Kind#KUBEVIRT} one from the start: the helper's hand-back that every copy of this
   * snapshot carries is evidence against a {@link Kind#HELPER} grant, so any reconcile passing a
   * list would release it before it is committed.
   */
  public synchronized Admission tryAdmitStarted(Entry me, String uid) {
    long from = visited;
    Admission a = decide(me, uid, queue, true);
    decided(from);
    return a;
  }

  /** {@link #tryAdmitStarted(Entry, String)} ordered by {@code list}. */
  public synchronized Admission tryAdmitStarted(
      Entry me, String uid, Collection<QuiescedSnapshot> list) {
    return decideOver(me, uid, list, true);
  }

  /** A decision ordered by {@code list}, which also releases grants and waiting groups it ends. */
  private Admission decideOver(
      Entry me, String uid, Collection<QuiescedSnapshot> list, boolean started) {
    long from = visited;
    visited += list.size();
    releaseAllOnEvidence(list);
    list.forEach(s -> stopWaitingIfGone(s, false));
    Admission a = decide(me, uid, AdmissionQueue.of(list), started);
    decided(from);
    return a;
  }

  /**
   * Takes in a version of a snapshot: an add or update event of the QuiescedSnapshot informer, the
   * copy a reconcile works from, or what the operator's own write returned. It may release the
   * snapshot's grant on evidence and moves the snapshot in (or out of) the queue; a version older
   * than one seen before moves nothing.
   */
  public synchronized void observe(QuiescedSnapshot s) {
    queue.observe(s);
    releaseOnEvidenceOf(s);
    stopWaitingIfGone(s, false);
  }

  /**
   * The snapshot is gone (a delete event of the informer): out of the queue, and whatever it held
   * is free (its finalizer ran; evidence that never goes away).
   */
  public synchronized void forget(QuiescedSnapshot s) {
    queue.forget(s);
    stopWaitingIfGone(s, true);
    String key = key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    String uid = s.getMetadata().getUid();
    if (grants.containsKey(key)
        && grants
            .values()
            .removeIf(
                g ->
                    g.key().equals(key)
                        && (g.uid() == null || g.uid().equals(uid))
                        && remember(g))) {
      releases++;
      LOG.debug("{} released its slot: deleted", key);
    }
  }

  /**
   * How many snapshots admission has looked at since this ledger was made: a test bounds it per
   * decision, so that admission never again walks the whole cache on every reconcile.
   */
  synchronized long visited() {
    return visited;
  }

  /**
   * What admission cost so far: decisions (admissions and wake-up lists), snapshots looked at in
   * all, and the most in one decision.
   */
  record Cost(long decisions, long visited, long mostInOneDecision) {}

  synchronized Cost cost() {
    return new Cost(decisions, visited, mostVisited);
  }

  /** Counts one decision that looked at the snapshots counted since {@code from}. */
  private void decided(long from) {
    decisions++;
    mostVisited = Math.max(mostVisited, visited - from);
  }

  /**
   * The admission of {@code me} against the grants and {@code q}: as {@link FreezeAdmission#admit}
   * over the whole queue would decide it, but walking the queue only up to {@code me}'s place and
   * only while the caps leave room for {@code me} (at most the cap's worth of admissions, plus the
   * snapshots skipped on their way).
   */
  private Admission decide(Entry me, String uid, AdmissionQueue q, boolean started) {
    String myKey = key(me.namespace(), me.name());
    if (grants.containsKey(myKey)) {
      return Admission.FREE;
    }
    Running running = new Running();
    boolean vmBusy =
        running.vms.contains(me.vmKey())
            || !started
                && (q.startedOn(me.vmKey(), myKey)
                    || q.queuedAheadOnVm(me, myKey, grants::containsKey));
    boolean room = me.node() == null || room(me, myKey, q, running, started);
    boolean slotFree = !vmBusy && room && !reservedFor(me);
    if (slotFree && me.node() != null) {
      grants.put(
          myKey,
          new Grant(me, uid, freeIndex(), started ? Kind.KUBEVIRT : Kind.HELPER, false, true));
    }
    return new Admission(vmBusy, slotFree);
  }

  /** The grants as admission counts them: VMs busy, slots held in the cluster and per node. */
  private final class Running {
    final Set<String> vms = new HashSet<>();
    final Map<String, Integer> perNode = new HashMap<>();
    int inFlight;

    Running() {
      for (Grant g : grants.values()) {
        vms.add(g.entry().vmKey());
        if (g.entry().node() != null) {
          perNode.merge(g.entry().node(), 1, Integer::sum);
          inFlight++;
        }
      }
    }

    boolean full(String node) {
      return inFlight >= clusterCap || perNode.getOrDefault(node, 0) >= admission.nodeCap();
    }

    void admit(String node) {
      perNode.merge(node, 1, Integer::sum);
      inFlight++;
    }
  }

  /**
   * Whether the caps leave a slot for {@code me} once the snapshots ahead of it in the queue that
   * can start have started. Stops as soon as the answer is no.
   */
  private boolean room(Entry me, String myKey, AdmissionQueue q, Running running, boolean started) {
    Set<String> vmsAhead = new HashSet<>();
    for (Entry w : q.queued()) {
      if (running.full(me.node()) || AdmissionQueue.ORDER.compare(w, me) >= 0) {
        break;
      }
      visited++;
      String key = key(w.namespace(), w.name());
      if (key.equals(myKey) || grants.containsKey(key) || started && w.vmKey().equals(me.vmKey())) {
        continue;
      }
      if (running.vms.contains(w.vmKey())
          || !started && q.startedOn(w.vmKey(), myKey)
          || !vmsAhead.add(w.vmKey())
          || running.full(w.node())) {
        continue; // its VM is busy, an older snapshot of it goes first, or its node is full
      }
      running.admit(w.node());
    }
    return !running.full(me.node());
  }

  /** The answer to {@link #tryAdmitWhole}. */
  public enum WholeAdmission {
    /** Every VM of the request holds a grant now. */
    ADMITTED,
    /** No VM of the request holds a grant; it waits for the caps or for one of its VMs. */
    WAITING,
    /** The request needs more slots than the cluster cap or a node's cap: it can never start. */
    NEVER_FITS
  }

  /**
   * Admits a consistency group (or any request) whole under this one lock: one grant per VM that
   * needs a freeze, all or none, counted against the same caps and VMs as single snapshots' grants.
   * Its grants ({@link Kind#GROUP}) are already committed; the caller writes them to their slot
   * Leases ({@link #wholeGrants}) before it freezes, and {@link #releaseWhole} gives them back. A
   * request that must wait is remembered until it is admitted or given up: no later request takes a
   * slot before it (no starvation by a stream of singles or smaller groups).
   *
   * @param me the request; every member carries the group snapshot's namespace and name
   * @param queue other requests waiting, in any order (ordered by creation time here), besides the
   *     waiting groups remembered here
   */
  public synchronized WholeAdmission tryAdmitWhole(
      FreezeAdmission.Request me, String uid, Collection<FreezeAdmission.Request> queue) {
    Entry head = me.members().get(0);
    String prefix = wholePrefix(head.namespace(), head.name());
    if (grants.keySet().stream().anyMatch(k -> k.startsWith(prefix))) {
      return WholeAdmission.ADMITTED;
    }
    if (!admission.fits(me)) {
      if (waitingWhole.remove(prefix) != null) {
        releases++;
      }
      return WholeAdmission.NEVER_FITS;
    }
    List<FreezeAdmission.Request> waiting = new ArrayList<>();
    List<FreezeAdmission.Request> others = new ArrayList<>(queue);
    waitingWhole.forEach(
        (p, r) -> {
          if (queue.stream().noneMatch(q -> wholePrefix(q.head()).equals(p))) {
            others.add(r);
          }
        });
    for (FreezeAdmission.Request r : others) {
      Entry h = r.members().get(0);
      String p = wholePrefix(h.namespace(), h.name());
      if (!p.equals(prefix) && grants.keySet().stream().noneMatch(k -> k.startsWith(p))) {
        waiting.add(r);
      }
    }
    waiting.add(me);
    List<Entry> running = grants.values().stream().map(Grant::entry).toList();
    if (!admission.admitWhole(waiting, running).contains(me)) {
      waitingWhole.put(prefix, me);
      return WholeAdmission.WAITING;
    }
    waitingWhole.remove(prefix);
    for (Entry e : me.members()) {
      if (e.node() != null) {
        grants.put(prefix + e.vm(), new Grant(e, uid, freeIndex(), Kind.GROUP, true, false));
      }
    }
    return WholeAdmission.ADMITTED;
  }

  /** The grants of a request admitted by {@link #tryAdmitWhole}, by slot index. */
  public synchronized List<Grant> wholeGrants(String namespace, String name) {
    String prefix = wholePrefix(namespace, name);
    return grants.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .map(Map.Entry::getValue)
        .sorted(java.util.Comparator.comparingInt(Grant::slot))
        .toList();
  }

  /**
   * The request admitted by {@link #tryAdmitWhole} is over, or gives up waiting: every grant of it
   * is free, and it no longer holds its place in the queue.
   *
   * @param freezeOver whether this is evidence that its freeze is over (its window's record is
   *     written, or it is deleted): then a slot Lease naming it may be swapped without a look-up
   */
  public synchronized void releaseWhole(String namespace, String name, boolean freezeOver) {
    String prefix = wholePrefix(namespace, name);
    boolean waited = waitingWhole.remove(prefix) != null;
    if (grants
            .entrySet()
            .removeIf(e -> e.getKey().startsWith(prefix) && (!freezeOver || remember(e.getValue())))
        || waited) {
      releases++;
    }
  }

  /** {@link #releaseWhole(String, String, boolean)} without evidence that a freeze is over. */
  public synchronized void releaseWhole(String namespace, String name) {
    releaseWhole(namespace, name, false);
  }

  /**
   * Whether a consistency group created before {@code me} waits to be admitted whole: then {@code
   * me} takes no slot, so the group is not starved. A group seen started, ended or deleted ({@link
   * #observe}, {@link #forget}, or a list passed in) no longer waits.
   */
  private boolean reservedFor(Entry me) {
    return me.node() != null
        && !waitingWhole.isEmpty()
        && waitingWhole.values().stream().anyMatch(r -> isAhead(r.head(), me));
  }

  /** A waiting group that this copy shows started, ended or deleted waits no more. */
  private void stopWaitingIfGone(QuiescedSnapshot s, boolean deleted) {
    if (waitingWhole.isEmpty()) {
      return;
    }
    String p = wholePrefix(s.getMetadata().getNamespace(), s.getMetadata().getName());
    if (waitingWhole.containsKey(p)
        && (deleted || phase(s) != SnapshotPhase.Pending || s.isMarkedForDeletion())) {
      waitingWhole.remove(p);
      releases++;
    }
  }

  /** A whole request's grants are keyed per VM, apart from single snapshots' keys. */
  private static String wholePrefix(String namespace, String name) {
    return key(namespace, name) + "|";
  }

  private static String wholePrefix(Entry head) {
    return wholePrefix(head.namespace(), head.name());
  }

  /** Where {@code grant} is kept: a group's grants per VM, a single snapshot's by its key. */
  private static String mapKey(Grant grant) {
    return grant.kind() == Kind.GROUP
        ? wholePrefix(grant.entry()) + grant.entry().vm()
        : grant.key();
  }

  /**
   * The waiting snapshots that would be admitted now, in queue order: the ones to wake when a slot
   * frees. Grants nothing; each still goes through {@link #tryAdmit}. Walks the queue kept from
   * events only until the cluster cap, or every node with a queued snapshot, is full.
   */
  public synchronized List<Entry> startableNow() {
    long from = visited;
    List<Entry> startable = startable(queue);
    decided(from);
    return startable;
  }

  /** {@link #startableNow()} ordered by {@code list}. */
  public synchronized List<Entry> startableNow(Collection<QuiescedSnapshot> list) {
    long from = visited;
    visited += list.size();
    releaseAllOnEvidence(list);
    list.forEach(s -> stopWaitingIfGone(s, false));
    List<Entry> startable = startable(AdmissionQueue.of(list));
    decided(from);
    return startable;
  }

  private List<Entry> startable(AdmissionQueue q) {
    Running running = new Running();
    int openNodes = q.queuedNodes();
    for (String node : running.perNode.keySet()) {
      if (q.hasQueuedOn(node) && running.full(node)) {
        openNodes--;
      }
    }
    List<Entry> admitted = new ArrayList<>();
    Set<String> vmsAhead = new HashSet<>();
    for (Entry w : q.queued()) {
      if (running.inFlight >= clusterCap || openNodes <= 0) {
        break;
      }
      visited++;
      if (grants.containsKey(key(w.namespace(), w.name()))) {
        continue;
      }
      if (running.vms.contains(w.vmKey())
          || q.startedOn(w.vmKey(), null)
          || !vmsAhead.add(w.vmKey())
          || running.full(w.node())) {
        continue;
      }
      running.admit(w.node());
      admitted.add(w);
      if (running.perNode.get(w.node()) >= admission.nodeCap()) {
        openNodes--;
      }
    }
    return admitted;
  }

  /** The grant of this snapshot, if it holds one. */
  public synchronized Optional<Grant> grant(String namespace, String name) {
    return Optional.ofNullable(grants.get(key(namespace, name)));
  }

  /**
   * A write that can lead to a freeze of {@code kind} is about to be made under this snapshot's
   * grant.
   *
   * @return the committed grant, or empty when the snapshot holds none any more (released on
   *     evidence meanwhile, or lost to another operator): then nothing may be written or frozen
   */
  public synchronized Optional<Grant> commit(String namespace, String name, Kind kind) {
    return Optional.ofNullable(
        grants.computeIfPresent(
            key(namespace, name),
            (k, g) -> new Grant(g.entry(), g.uid(), g.slot(), kind, true, g.fresh())));
  }

  /**
   * The end of a reconcile: a grant it took and did not use is given back; one it used (or an older
   * one) is kept until the evidence comes.
   */
  public synchronized void settle(String namespace, String name) {
    String key = key(namespace, name);
    Grant g = grants.get(key);
    if (g != null && g.fresh()) {
      if (g.committed()) {
        grants.put(key, new Grant(g.entry(), g.uid(), g.slot(), g.kind(), true, false));
      } else {
        grants.remove(key);
        releases++;
        promoteAdopted(key);
      }
    }
  }

  /**
   * The reconcile's write was refused (its copy was stale), so nothing can freeze because of it: a
   * grant it took is given back, one the snapshot held from an earlier reconcile is kept. Another
   * operator never assigns under this process's Lease swap: it takes a Lease naming the snapshot as
   * its own only when it wrote it ({@link SlotLeases#GRANTED_BY_ANNOTATION}), so the next swap of
   * this process from its known version cannot pass a freeze another operator started.
   */
  public synchronized void abandon(String namespace, String name) {
    String key = key(namespace, name);
    Grant g = grants.get(key);
    if (g != null && g.fresh()) {
      grants.remove(key);
      releases++;
      promoteAdopted(key);
    }
  }

  /** The snapshot is gone (its finalizer ran): whatever it held is free. */
  public synchronized void release(String namespace, String name) {
    String key = key(namespace, name);
    if (grants.values().removeIf(g -> g.key().equals(key) && remember(g))) {
      releases++;
      LOG.debug("{} released its slot: terminal or deleted", key);
    }
  }

  /**
   * Whether the snapshot with this uid had its grant released on evidence that its freeze is over.
   */
  public synchronized boolean knownOver(String uid) {
    return uid != null && over.contains(uid);
  }

  /** Remembers that {@code g}'s freeze is over; always true (for use in a filter). */
  private boolean remember(Grant g) {
    if (g.uid() != null && over.add(g.uid()) && over.size() > OVER_REMEMBERED) {
      Iterator<String> oldest = over.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  /**
   * Whether {@code grant} is still this snapshot's grant of its slot: asked right before its Lease
   * is swapped, under the slot's lock, since another reconcile may have learned meanwhile that the
   * slot is held elsewhere ({@link #adopt}).
   */
  public synchronized boolean holds(Grant grant) {
    Grant now = grants.get(mapKey(grant));
    return now != null && now.slot() == grant.slot();
  }

  /**
   * The swap of {@code grant}'s Lease failed, so nothing was written under it: that grant (and only
   * that one: the snapshot may meanwhile hold another slot, adopted) is given back.
   */
  public synchronized void giveBack(Grant grant) {
    if (holds(grant)) {
      grants.remove(mapKey(grant));
      releases++;
      if (grant.kind() != Kind.GROUP) { // a group's other grants are its own, not adopted ones
        promoteAdopted(grant.key());
      }
    }
  }

  /**
   * {@link #releaseOnEvidence} of each snapshot of the list that a grant names: the others cannot
   * release anything. Every reconcile passes the whole cache here, so looking at every grant for
   * every snapshot cost O(N x cap) key concatenations per reconcile (7 % of the operator's CPU in a
   * fire over 200 VMs).
   */
  private void releaseAllOnEvidence(Collection<QuiescedSnapshot> list) {
    if (grants.isEmpty()) {
      return;
    }
    Set<String> named = new HashSet<>();
    Set<String> names = new HashSet<>(); // checked first: no key is built for most snapshots
    grants
        .values()
        .forEach(
            g -> {
              named.add(g.key());
              names.add(g.entry().name());
            });
    for (QuiescedSnapshot s : list) {
      if (names.contains(s.getMetadata().getName())
          && named.contains(key(s.getMetadata().getNamespace(), s.getMetadata().getName()))) {
        releaseOnEvidenceOf(s);
      }
    }
  }

  /**
   * Releases the grant of {@code s} when this copy shows its freeze is over.
   *
   * @return whether a grant was released
   */
  public synchronized boolean releaseOnEvidence(QuiescedSnapshot s) {
    return releaseOnEvidenceOf(s);
  }

  private boolean releaseOnEvidenceOf(QuiescedSnapshot s) {
    String key = key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    if (!grants.containsKey(key)) {
      return false; // a second slot of a snapshot (key@slot) exists only beside its own grant
    }
    String uid = s.getMetadata().getUid();
    boolean released = false;
    for (Iterator<Grant> it = grants.values().iterator(); it.hasNext(); ) {
      Grant g = it.next();
      boolean deleted = g.uid() != null && uid != null && !g.uid().equals(uid);
      if (g.key().equals(key) && (deleted || freezeOver(g.kind(), s.getStatus()))) {
        it.remove();
        remember(g);
        released = true;
      }
    }
    if (released) {
      releases++;
      LOG.debug("{} released its slot: its freeze is over", key);
    }
    return released;
  }

  /**
   * A slot this process did not grant is held, as its Lease shows (another operator granted it, or
   * this one before a restart). It counts against the cap until the evidence releases it. Any grant
   * of this process on the same slot index lost the race and is dropped.
   */
  public synchronized void adopt(Grant held) {
    grants
        .values()
        .removeIf(
            g -> {
              boolean lostRace = g.slot() == held.slot() && !g.key().equals(held.key());
              if (lostRace) {
                LOG.debug("{} lost slot {} to {}", g.key(), g.slot(), held.key());
              }
              return lostRace;
            });
    Grant adopted = new Grant(held.entry(), held.uid(), held.slot(), held.kind(), true, false);
    Grant own = grants.get(held.key());
    // a grant of the same snapshot on another slot may be mid-swap: its Lease may name the
    // snapshot too, so neither slot may be handed out before the snapshot's freeze is over
    grants.put(
        own == null || own.slot() == held.slot() ? held.key() : held.key() + "@" + held.slot(),
        adopted);
  }

  /** A snapshot whose own grant went keeps the slot it was seen holding elsewhere, if any. */
  private void promoteAdopted(String key) {
    grants.entrySet().stream()
        .filter(e -> e.getValue().key().equals(key) && !e.getKey().equals(key))
        .map(Map.Entry::getKey)
        .findFirst()
        .ifPresent(extra -> grants.put(key, grants.remove(extra)));
  }

  /**
   * How many times a grant was given up so far (released on evidence, deleted, given back unused)
   * or a waiting group stopped waiting: a change of this count is what can let a waiting snapshot
   * start ({@link AdmissionWakeups#wakeIfReleased}).
   */
  public synchronized long releases() {
    return releases;
  }

  /** How many slots are held now (for tests and metrics). */
  public synchronized int held() {
    return (int) grants.values().stream().filter(g -> g.entry().node() != null).count();
  }

  /** Whether a copy's status shows that the freeze of a grant of {@code kind} is over. */
  static boolean freezeOver(Kind kind, QuiescedSnapshotStatus st) {
    if (st == null) {
      return false;
    }
    if (st.getPhase() == SnapshotPhase.Succeeded || st.getPhase() == SnapshotPhase.Failed) {
      return true;
    }
    if (kind == Kind.GROUP) {
      return st.getConsistency() != null; // the group window's record: every VM thawed
    }
    if (st.getFreeze() == null) {
      return kind == Kind.HELPER && st.getHelperHandBack() != null; // handed back: nothing frozen
    }
    return kind == Kind.HELPER || st.getFreeze().getMethod() == FreezeMethod.KUBEVIRT_API;
  }

  /**
   * The lowest slot index no grant uses; one below the cap exists whenever the cap admits one more.
   */
  private int freeIndex() {
    boolean[] used = new boolean[clusterCap];
    grants.values().stream()
        .mapToInt(Grant::slot)
        .filter(i -> i >= 0 && i < clusterCap)
        .forEach(i -> used[i] = true);
    for (int i = 0; i < clusterCap; i++) {
      if (!used[i]) {
        return i;
      }
    }
    throw new IllegalStateException(
        "no free slot index below the cap " + clusterCap + " although admitted");
  }

  private static SnapshotPhase phase(QuiescedSnapshot s) {
    return SnapshotPhase.of(s.getStatus());
  }

  private static boolean isAhead(Entry a, Entry b) {
    return AdmissionQueue.ORDER.compare(a, b) < 0;
  }

  static String key(String namespace, String name) {
    return Objects.requireNonNull(namespace) + "/" + Objects.requireNonNull(name);
  }
}
