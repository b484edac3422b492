package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.status.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The cluster freeze cap as a property: many reconcile threads, each working from its own copy of a
 * snapshot and a list of snapshots of a random age (up to {@value #MAX_AGE} writes old), against a
 * simulated API store that refuses writes based on stale copies (resourceVersion precondition), and
 * a FAKE node helper that freezes what is assigned and records it after the thaw (some with {@code
 * NoAgentChannel}, which the operator then freezes through KubeVirt under a grant). Over {@value
 * #SNAPSHOTS} snapshots the helper and the operator's own KubeVirt freezes count who is frozen at
 * the same time: never more than the cap, nor one VM twice.
 */
class FreezeCapPropertyTest {
  private static final int CAP = 3;
  private static final int NODE_CAP = 2;
  private static final int NODES = 4;
  private static final int VMS = 12;
  private static final int POPULATION = 16;
  private static final int SNAPSHOTS = 10_000;
  private static final int MAX_AGE = 40;
  private static final int RECONCILERS = 3;
  private static final int HELPERS = 2;
  private static final Instant T0 = Instant.parse("2026-12-05T00:00:00Z");

  /** One snapshot version as the store holds it. */
  private record State(
      String name,
      String uid,
      String vm,
      int version,
      Instant created,
      SnapshotPhase phase,
      String queuedOn,
      boolean assigned,
      String recordReason,
      FreezeMethod recordMethod,
      QuiescedSnapshot copy) {

    static State of(
        String name,
        String uid,
        String vm,
        int version,
        Instant created,
        SnapshotPhase phase,
        String queuedOn,
        boolean assigned,
        String recordReason,
        FreezeMethod recordMethod) {
      State s =
          new State(
              name,
              uid,
              vm,
              version,
              created,
              phase,
              queuedOn,
              assigned,
              recordReason,
              recordMethod,
              null);
      return new State(
          name,
          uid,
          vm,
          version,
          created,
          phase,
          queuedOn,
          assigned,
          recordReason,
          recordMethod,
          s.toSnapshot());
    }

    String node() {
      return "node-" + (Integer.parseInt(vm.substring(3)) % NODES);
    }

    State next(SnapshotPhase p, String queued, boolean a, String reason, FreezeMethod method) {
      return State.of(name, uid, vm, version + 1, created, p, queued, a, reason, method);
    }

    QuiescedSnapshot toSnapshot() {
      QuiescedSnapshot s = new QuiescedSnapshot();
      s.getMetadata().setNamespace("ns");
      s.getMetadata().setName(name);
      s.getMetadata().setUid(uid);
      s.getMetadata().setResourceVersion(Integer.toString(version));
      s.getMetadata().setCreationTimestamp(created.toString());
      QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
      spec.setSource(vm);
      s.setSpec(spec);
      QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
      st.setPhase(phase);
      st.setNodeName(phase == SnapshotPhase.Pending ? queuedOn : node());
      if (Reason.NO_AGENT_CHANNEL.is(recordReason) && recordMethod == null) {
        // the helper's hand-back: its own field, status.freeze stays the freezer's
        st.setHelperHandBack(new io.quiesce.api.v1alpha1.HelperHandBack(recordReason, null));
      } else if (recordReason != null) {
        FreezeRecord r = new FreezeRecord();
        r.setReason(recordReason);
        r.setMethod(recordMethod);
        st.setFreeze(r);
      }
      s.setStatus(st);
      return s;
    }
  }

  /**
   * The simulated API store: every write makes a new version of the whole store, the last ones
   * kept.
   */
  private static final class Store {
    private final List<Map<String, State>> history = new ArrayList<>();
    private final List<List<QuiescedSnapshot>> lists = new ArrayList<>();
    private Map<String, State> latest = new HashMap<>();

    /** Every version written and every removal, in order, as the operator's informer sees them. */
    private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();

    /** Names of snapshots just assigned, as the helper's watch would deliver them. */
    private final BlockingQueue<String> assignedEvents = new LinkedBlockingQueue<>();

    private int created;
    private int terminal;

    synchronized void create() {
      int n = created++;
      State s =
          State.of(
              String.format("s-%05d", n),
              "uid-" + n,
              "vm-" + (n * 7 % VMS),
              1,
              T0.plusMillis(n),
              SnapshotPhase.Pending,
              null,
              false,
              null,
              null);
      put(s);
    }

    /**
     * A write with the resourceVersion precondition: refused unless {@code basis} is the stored
     * version.
     */
    synchronized boolean write(State basis, State next) {
      State stored = latest.get(basis.name());
      if (stored == null || stored.version() != basis.version()) {
        return false;
      }
      put(next);
      if (next.assigned() && !basis.assigned()) {
        assignedEvents.add(next.name());
      }
      if (next.phase() == SnapshotPhase.Succeeded) {
        terminal++;
        latest.remove(next.name());
        changes.add(new Change(next.copy(), true));
        remember();
        if (created < SNAPSHOTS) {
          create();
        }
      }
      return true;
    }

    synchronized State stored(String name) {
      return latest.get(name);
    }

    /** The whole store as it was {@code age} writes ago. */
    synchronized Map<String, State> asOf(int age) {
      return history.get(Math.max(0, history.size() - 1 - age));
    }

    /** A list of every snapshot as the store had them {@code age} writes ago. */
    synchronized List<QuiescedSnapshot> listAsOf(int age) {
      return lists.get(Math.max(0, lists.size() - 1 - age));
    }

    synchronized String progress() {
      return created + " created, " + terminal + " terminal, " + latest.values();
    }

    synchronized List<State> now() {
      return List.copyOf(latest.values());
    }

    synchronized boolean done() {
      return terminal >= SNAPSHOTS;
    }

    private void put(State s) {
      latest.put(s.name(), s);
      changes.add(new Change(s.copy(), false));
      remember();
    }

    private void remember() {
      history.add(Map.copyOf(latest));
      lists.add(latest.values().stream().map(State::copy).toList());
      if (history.size() > MAX_AGE * 2) {
        history.subList(0, history.size() - MAX_AGE - 1).clear();
        lists.subList(0, lists.size() - MAX_AGE - 1).clear();
      }
    }
  }

  /**
   * Who is frozen now, counted where the freezes happen (the fake helper and the operator's
   * KubeVirt calls).
   */
  private static final class Frozen {
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final Set<String> vms = ConcurrentHashMap.newKeySet();
    private final AtomicInteger vmTwice = new AtomicInteger();
    private final AtomicInteger freezes = new AtomicInteger();

    void freeze(String vm, SplittableRandom rnd) {
      if (!vms.add(vm)) {
        vmTwice.incrementAndGet();
      }
      peak.accumulateAndGet(now.incrementAndGet(), Math::max);
      freezes.incrementAndGet();
      LockSupport.parkNanos(
          rnd.nextInt(20_000)); // the simulated freeze window, not a synchronization
      now.decrementAndGet();
      vms.remove(vm);
    }
  }

  /** One change of the store as an informer delivers it: a version, or the object gone. */
  private record Change(QuiescedSnapshot copy, boolean deleted) {}

  @Test
  void theCapHoldsWhateverTheAgeOfTheLists() throws Exception {
    theCapHolds(false);
  }

  /**
   * The same with the queue kept from the informer's events (a thread that applies each change in
   * order, late by a random delay) and from each reconcile's copy of a random age and its own
   * writes, as the operator keeps it, instead of lists.
   */
  @Test
  void theCapHoldsWithTheQueueKeptFromEvents() throws Exception {
    theCapHolds(true);
  }

  private void theCapHolds(boolean fromEvents) throws Exception {
    Store store = new Store();
    for (int i = 0; i < POPULATION; i++) {
      store.create();
    }
    FreezeSlots slots = new FreezeSlots(CAP, NODE_CAP);
    Frozen frozen = new Frozen();
    Set<String> helperTook = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(RECONCILERS + HELPERS + 1);
    List<Future<?>> workers = new ArrayList<>();
    Set<String> reconciling = ConcurrentHashMap.newKeySet();
    for (int t = 0; t < RECONCILERS; t++) {
      SplittableRandom rnd = new SplittableRandom(1000 + t);
      workers.add(
          pool.submit(
              () -> {
                while (!store.done() && !Thread.currentThread().isInterrupted()) {
                  reconcileOne(store, slots, frozen, reconciling, rnd, fromEvents);
                }
              }));
    }
    if (fromEvents) {
      SplittableRandom rnd = new SplittableRandom(3000);
      workers.add(
          pool.submit(
              () -> {
                while (!store.done()) {
                  Change c = store.changes.poll(10, TimeUnit.MILLISECONDS);
                  if (c == null) {
                    continue;
                  }
                  if (rnd.nextInt(4) == 0) {
                    LockSupport.parkNanos(rnd.nextInt(200_000)); // the watch's delay, not a sync
                  }
                  if (c.deleted()) {
                    slots.forget(c.copy());
                  } else {
                    slots.observe(c.copy());
                  }
                }
                return null;
              }));
    }
    for (int t = 0; t < HELPERS; t++) {
      SplittableRandom rnd = new SplittableRandom(2000 + t);
      workers.add(
          pool.submit(
              () -> {
                while (!store.done()) {
                  helpOne(store, frozen, helperTook, rnd);
                }
                return null;
              }));
    }
    String unfinished = null;
    try {
      for (Future<?> w : workers) {
        try {
          w.get(600, TimeUnit.SECONDS); // a backstop for a loaded machine; seconds on a quiet one
        } catch (java.util.concurrent.TimeoutException e) {
          unfinished = "no end after 600 s: " + slots.held() + " slots held; " + store.progress();
          break;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    // the safety property first, whether or not the round ended
    assertThat(frozen.peak.get())
        .as("peak of concurrent freezes (cap %d)", CAP)
        .isLessThanOrEqualTo(CAP);
    assertThat(unfinished).as("every snapshot terminal").isNull();
    assertThat(frozen.freezes.get()).as("freezes").isGreaterThanOrEqualTo(SNAPSHOTS);
    assertThat(frozen.peak.get()).as("the cap was reached: the test exercised it").isEqualTo(CAP);
    assertThat(frozen.vmTwice.get()).as("a VM frozen twice at once").isZero();
    assertThat(slots.held()).as("grants left once every snapshot is terminal").isZero();
  }

  /**
   * One reconcile, as {@link QuiescedSnapshotReconciler} does it, from a copy and a list of random
   * ages.
   */
  private static void reconcileOne(
      Store store,
      FreezeSlots slots,
      Frozen frozen,
      Set<String> reconciling,
      SplittableRandom rnd,
      boolean fromEvents) {
    List<State> now = store.now();
    if (now.isEmpty()) {
      return;
    }
    String name = now.get(rnd.nextInt(now.size())).name();
    if (!reconciling.add(name)) {
      return; // as JOSDK: one reconcile of a snapshot at a time
    }
    try {
      reconcile(store, slots, frozen, rnd, name, fromEvents);
    } finally {
      reconciling.remove(name);
    }
  }

  private static void reconcile(
      Store store,
      FreezeSlots slots,
      Frozen frozen,
      SplittableRandom rnd,
      String name,
      boolean fromEvents) {
    State own = store.asOf(rnd.nextInt(MAX_AGE)).get(name);
    if (own == null) {
      return; // that old a copy did not have it yet
    }
    List<QuiescedSnapshot> list = fromEvents ? null : store.listAsOf(rnd.nextInt(MAX_AGE));
    if (fromEvents) {
      slots.observe(own.copy());
    } else {
      slots.releaseOnEvidence(own.copy());
    }
    Entry me = new Entry("ns", own.name(), own.vm(), own.node(), own.created());
    try {
      if (own.phase() == SnapshotPhase.Pending) {
        Admission a =
            fromEvents ? slots.tryAdmit(me, own.uid()) : slots.tryAdmit(me, own.uid(), list);
        if (!a.vmBusy() && a.slotFree()) {
          // as takeSlot: nothing is written (so nothing frozen) unless the grant is still held
          if (slots.commit("ns", own.name(), FreezeSlots.Kind.HELPER).isPresent()) {
            State next = own.next(SnapshotPhase.InProgress, null, true, null, null);
            if (!store.write(own, next)) {
              slots.abandon("ns", own.name());
            } else if (fromEvents) {
              slots.observe(next.copy()); // what the operator's own write returned
            }
          }
        } else if (!a.vmBusy() && own.queuedOn() == null) {
          State next = own.next(SnapshotPhase.Pending, own.node(), false, null, null);
          if (store.write(own, next) && fromEvents) {
            slots.observe(next.copy());
          }
        }
      } else if (SnapshotStateMachine.needsKubeVirtFallback(own.copy().getStatus())) {
        Admission a =
            fromEvents
                ? slots.tryAdmitStarted(me, own.uid())
                : slots.tryAdmitStarted(me, own.uid(), list);
        if (!a.vmBusy() && a.slotFree()) {
          State latest = store.stored(own.name());
          if (latest == null
              || !SnapshotStateMachine.needsKubeVirtFallback(latest.copy().getStatus())) {
            slots.abandon(
                "ns", own.name()); // its record is there already: written stale, not frozen
          } else if (slots.commit("ns", own.name(), FreezeSlots.Kind.KUBEVIRT).isPresent()) {
            // as takeSlot: no freeze unless the grant is still held once committed
            frozen.freeze(own.vm(), rnd); // the operator freezes through KubeVirt itself
            // its record goes over the latest version (as writeRanFreeze); the helper wrote before
            while (!store.write(
                latest,
                latest.next(
                    SnapshotPhase.InProgress, null, true, "Frozen", FreezeMethod.KUBEVIRT_API))) {
              latest = store.stored(own.name());
            }
            slots.release("ns", own.name());
          }
        }
      } else if (own.phase() == SnapshotPhase.InProgress && own.recordReason() != null) {
        if (store.write(
            own,
            own.next(
                SnapshotPhase.Succeeded, null, true, own.recordReason(), own.recordMethod()))) {
          slots.release("ns", own.name()); // the terminal phase is written
        }
      }
    } finally {
      slots.settle("ns", own.name());
    }
  }

  /**
   * The FAKE helper: takes an assigned snapshot without a record once, freezes (or finds no
   * channel), records after the thaw.
   */
  private static void helpOne(Store store, Frozen frozen, Set<String> took, SplittableRandom rnd)
      throws InterruptedException {
    String name = store.assignedEvents.poll(10, TimeUnit.MILLISECONDS);
    State s = name == null ? null : store.stored(name);
    if (s == null
        || s.phase() != SnapshotPhase.InProgress
        || !s.assigned()
        || s.recordReason() != null
        || !took.add(s.uid())) {
      return;
    }
    boolean noChannel = rnd.nextInt(8) == 0;
    if (!noChannel) {
      frozen.freeze(s.vm(), rnd);
    }
    // the helper's record is a merge patch without a precondition: it lands on the latest version
    State latest = store.stored(s.name());
    while (!store.write(
        latest,
        latest.next(
            SnapshotPhase.InProgress,
            null,
            true,
            noChannel ? Reason.NO_AGENT_CHANNEL.wire() : "Frozen",
            noChannel ? null : FreezeMethod.QGA))) {
      latest = store.stored(s.name());
    }
  }
}
