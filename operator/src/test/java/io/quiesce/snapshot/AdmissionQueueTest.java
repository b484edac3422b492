package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.HelperHandBack;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.status.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The freeze queue kept from events ({@link FreezeSlots#observe}, {@link FreezeSlots#forget}): it
 * decides as a queue rebuilt from the whole list did, and a decision looks at the cap's worth of
 * snapshots, not at every one queued.
 */
class AdmissionQueueTest {
  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

  /**
   * Random snapshots (several per VM, equal creation times, some not on a node yet, started ones,
   * finished ones, deleted ones) change one at a time; after each change a ledger fed only the
   * changes and a ledger given the whole list decide the same for every Pending snapshot, and wake
   * the same ones.
   */
  @Test
  void decidesAsTheWholeListDid() {
    for (long seed = 1; seed <= 40; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      int cap = 1 + rnd.nextInt(6);
      int nodeCap = 1 + rnd.nextInt(3);
      FreezeSlots fromEvents = new FreezeSlots(cap, nodeCap);
      FreezeSlots fromList = new FreezeSlots(cap, nodeCap);
      Map<String, QuiescedSnapshot> store = new LinkedHashMap<>();
      long version = 0;
      for (int step = 0; step < 400; step++) {
        String name = "s-" + rnd.nextInt(40);
        QuiescedSnapshot before = store.get(name);
        if (before != null && rnd.nextInt(10) == 0) {
          store.remove(name);
          fromEvents.forget(before);
          fromList.release("ns", name); // its finalizer ran
        } else {
          QuiescedSnapshot s = randomVersion(name, ++version, rnd);
          store.put(name, s);
          fromEvents.observe(s);
          fromList.releaseOnEvidence(s);
        }
        List<QuiescedSnapshot> list = new ArrayList<>(store.values());
        for (QuiescedSnapshot s : list) {
          assertThat(fromEvents.grant("ns", s.getMetadata().getName()))
              .isEqualTo(fromList.grant("ns", s.getMetadata().getName()));
          if (SnapshotPhase.of(s.getStatus()) != SnapshotPhase.Pending) {
            continue;
          }
          Entry me = entry(s, rnd.nextInt(4) == 0 ? null : node(s));
          Admission byEvents = fromEvents.tryAdmit(me, s.getMetadata().getUid());
          Admission byList = fromList.tryAdmit(me, s.getMetadata().getUid(), list);
          assertThat(byEvents).as("seed %d step %d: %s", seed, step, me).isEqualTo(byList);
          if (rnd.nextBoolean()) { // used: kept until the evidence; else given back
            fromEvents.commit("ns", me.name(), FreezeSlots.Kind.HELPER);
            fromList.commit("ns", me.name(), FreezeSlots.Kind.HELPER);
          }
          fromEvents.settle("ns", me.name());
          fromList.settle("ns", me.name());
        }
        assertThat(fromEvents.startableNow())
            .as("seed %d step %d: woken", seed, step)
            .isEqualTo(fromList.startableNow(list));
      }
    }
  }

  /**
   * 5,000 snapshots queued over 20 nodes, cap 50: each decision, also for the last in the queue,
   * and each wake-up looks at about the cap's worth of them, where rebuilding the queue looked at
   * all 5,000 every time.
   */
  @Test
  void aDecisionLooksAtTheCapsWorthOfTheQueueNotAtAllOfIt() {
    int queued = 5_000;
    int cap = 50;
    FreezeSlots slots = new FreezeSlots(cap, 4);
    List<QuiescedSnapshot> all = new ArrayList<>();
    for (int i = 0; i < queued; i++) {
      QuiescedSnapshot s =
          snapshot(String.format("s-%05d", i), "vm-" + i, SnapshotPhase.Pending, T0, i + 1L);
      s.getStatus().setNodeName("node-" + (i % 20));
      all.add(s);
      slots.observe(s);
    }
    Entry last = entry(all.get(queued - 1), "node-19");
    long before = slots.visited();
    assertThat(slots.tryAdmit(last, "uid-last").slotFree()).isFalse();
    assertThat(slots.visited() - before)
        .as("snapshots looked at to decide for the last one queued")
        .isLessThanOrEqualTo(2L * cap);
    before = slots.visited();
    assertThat(slots.startableNow()).hasSize(cap);
    assertThat(slots.visited() - before)
        .as("snapshots looked at to find the ones to wake")
        .isLessThanOrEqualTo(2L * cap);

    // the first cap snapshots start; with the caps full a decision looks at none
    for (QuiescedSnapshot s : all.subList(0, cap)) {
      Entry e = entry(s, s.getStatus().getNodeName());
      before = slots.visited();
      assertThat(slots.tryAdmit(e, s.getMetadata().getUid()).slotFree()).isTrue();
      assertThat(slots.visited() - before).isLessThanOrEqualTo(2L * cap);
      slots.commit("ns", e.name(), FreezeSlots.Kind.HELPER);
      slots.settle("ns", e.name());
    }
    before = slots.visited();
    assertThat(slots.tryAdmit(last, "uid-last").slotFree()).isFalse();
    assertThat(slots.startableNow()).isEmpty();
    assertThat(slots.visited() - before).isZero();

    // what a whole list costs, for comparison: every snapshot, every time
    before = slots.visited();
    slots.tryAdmit(last, "uid-last", all);
    assertThat(slots.visited() - before).isGreaterThanOrEqualTo(queued);
  }

  /** A copy older than one seen before (a reconcile's, after the event) moves nothing back. */
  @Test
  void anOlderCopyDoesNotMoveASnapshotBack() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    QuiescedSnapshot queuedV1 = snapshot("a", "vm-a", SnapshotPhase.Pending, T0, 1);
    queuedV1.getStatus().setNodeName("node-1");
    QuiescedSnapshot startedV2 = snapshot("a", "vm-a", SnapshotPhase.InProgress, T0, 2);
    slots.observe(startedV2);
    slots.observe(queuedV1); // late
    Entry b = new Entry("ns", "b", "vm-b", "node-2", T0.plusSeconds(1));
    assertThat(slots.startableNow()).as("a is not queued any more").isEmpty();
    Entry otherOfA = new Entry("ns", "c", "vm-a", "node-1", T0.plusSeconds(2));
    assertThat(slots.tryAdmit(otherOfA, "uid-c").vmBusy()).as("a has started").isTrue();
    assertThat(slots.tryAdmit(b, "uid-b").slotFree()).isTrue();

    slots.forget(startedV2);
    slots.observe(startedV2); // a reconcile's copy after the delete event
    assertThat(slots.tryAdmit(otherOfA, "uid-c").vmBusy()).as("a is gone").isFalse();
  }

  /** The delete event frees what the snapshot held, as its finalizer would. */
  @Test
  void theDeleteEventReleasesTheGrant() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    QuiescedSnapshot a = snapshot("a", "vm-a", SnapshotPhase.Pending, T0, 1);
    a.getStatus().setNodeName("node-1");
    slots.observe(a);
    Entry e = entry(a, "node-1");
    assertThat(slots.tryAdmit(e, a.getMetadata().getUid()).slotFree()).isTrue();
    slots.commit("ns", "a", FreezeSlots.Kind.HELPER);
    slots.settle("ns", "a");
    assertThat(slots.held()).isEqualTo(1);
    slots.forget(snapshot("a", "vm-a", SnapshotPhase.InProgress, T0, 3));
    assertThat(slots.held()).isZero();
  }

  /**
   * The KubeVirt fallback's grant, taken against the queue kept from events, survives the
   * informer's events of its own snapshot before it is committed: every version of X carries the
   * helper's hand-back, which ends a helper's grant but not a freeze through KubeVirt. (Taken as a
   * helper grant, each such event released it, and the fallback then froze without a slot:
   * FreezeCapPropertyTest's queue-fed run reached cap + 1.)
   */
  @Test
  void theFallbacksGrantSurvivesItsOwnEventsBeforeItIsCommitted() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    QuiescedSnapshot handedBack = snapshot("x", "vm-x", SnapshotPhase.InProgress, T0, 2);
    handedBack.getStatus().setNodeName("node-1");
    handedBack
        .getStatus()
        .setHelperHandBack(new HelperHandBack(Reason.NO_AGENT_CHANNEL.wire(), null));
    slots.observe(handedBack);
    QuiescedSnapshot y = snapshot("y", "vm-y", SnapshotPhase.Pending, T0.plusSeconds(1), 3);
    y.getStatus().setNodeName("node-2");
    slots.observe(y);
    Entry x = entry(handedBack, "node-1");
    assertThat(slots.tryAdmitStarted(x, "uid-x").slotFree()).isTrue();

    slots.observe(handedBack); // the reconcile's copy, or a late event: evidence for no freeze
    assertThat(slots.held()).as("x's grant").isEqualTo(1);
    assertThat(slots.startableNow()).as("woken while x holds the only slot").isEmpty();
    assertThat(slots.tryAdmit(entry(y, "node-2"), "uid-y").slotFree())
        .as("y while x holds the only slot")
        .isFalse();
    assertThat(slots.commit("ns", "x", FreezeSlots.Kind.KUBEVIRT)).isPresent();
    slots.settle("ns", "x");

    QuiescedSnapshot recorded = snapshot("x", "vm-x", SnapshotPhase.InProgress, T0, 4);
    FreezeRecord kubeVirt = new FreezeRecord();
    kubeVirt.setMethod(FreezeMethod.KUBEVIRT_API);
    recorded.getStatus().setFreeze(kubeVirt);
    slots.observe(recorded); // KubeVirt's freeze record: the evidence that ends it
    assertThat(slots.held()).isZero();
    assertThat(slots.tryAdmit(entry(y, "node-2"), "uid-y").slotFree()).isTrue();
  }

  private static QuiescedSnapshot randomVersion(String name, long version, SplittableRandom rnd) {
    int n = Integer.parseInt(name.substring(2));
    SnapshotPhase phase =
        switch (rnd.nextInt(6)) {
          case 0, 1, 2 -> SnapshotPhase.Pending;
          case 3, 4 -> SnapshotPhase.InProgress;
          default -> SnapshotPhase.Succeeded;
        };
    QuiescedSnapshot s =
        snapshot(name, "vm-" + (n % 9), phase, T0.plusSeconds(n % 7), version); // ties in time
    if (phase == SnapshotPhase.Pending && rnd.nextInt(5) > 0) {
      s.getStatus().setNodeName(node(s));
    }
    if (phase == SnapshotPhase.InProgress && rnd.nextInt(3) == 0) {
      s.getStatus().setFreeze(new FreezeRecord()); // the helper's record: its freeze is over
    }
    if (rnd.nextInt(20) == 0) {
      s.getMetadata().setDeletionTimestamp(T0.toString());
    }
    return s;
  }

  private static String node(QuiescedSnapshot s) {
    return "node-" + (s.getSpec().getSource().hashCode() & 3);
  }

  private static Entry entry(QuiescedSnapshot s, String node) {
    return new Entry(
        "ns",
        s.getMetadata().getName(),
        s.getSpec().getSource(),
        node,
        Instant.parse(s.getMetadata().getCreationTimestamp()));
  }

  private static QuiescedSnapshot snapshot(
      String name, String vm, SnapshotPhase phase, Instant created, long version) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setNamespace("ns");
    s.getMetadata().setName(name);
    s.getMetadata().setUid("uid-" + name);
    s.getMetadata().setResourceVersion(Long.toString(version));
    s.getMetadata().setCreationTimestamp(created.toString());
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(vm);
    s.setSpec(spec);
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(phase);
    s.setStatus(st);
    return s;
  }
}
