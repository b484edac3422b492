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
import io.quiesce.snapshot.FreezeSlots.Grant;
import io.quiesce.snapshot.FreezeSlots.Kind;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.status.Reason;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreezeSlotsTest {
  private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

  /**
   * B (older) waited only because its VM was busy; A started past it. A reconcile of A from a cache
   * older than A's own status write must not give A's slot away, or B freezes next to A over the
   * cap.
   */
  @Test
  void aStartedSnapshotSeenPendingByAStaleCacheKeepsItsSlot() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry a = new Entry("ns", "a", "vm-a", "node-1", T0.plusSeconds(1));
    Entry b = new Entry("ns", "b", "vm-b", "node-2", T0);
    QuiescedSnapshot otherOfVmB =
        snapshot("c", "vm-b", null, SnapshotPhase.InProgress, T0.minusSeconds(1));
    List<QuiescedSnapshot> whileVmBBusy = List.of(otherOfVmB, pending(b), pending(a));
    assertThat(slots.tryAdmit(a, whileVmBBusy).slotFree()).isTrue();
    started(slots, a);

    QuiescedSnapshot otherDone =
        snapshot("c", "vm-b", null, SnapshotPhase.Succeeded, T0.minusSeconds(1));
    List<QuiescedSnapshot> stale = List.of(otherDone, pending(b), pending(a));
    assertThat(slots.tryAdmit(a, stale).slotFree())
        .as("A, already started, reconciled from a stale cache")
        .isTrue();
    assertThat(slots.tryAdmit(b, stale).slotFree()).as("B while A holds the only slot").isFalse();
    assertThat(slots.startableNow(stale)).isEmpty();
  }

  /**
   * A decision that was not written (stale copy) gives back what it reserved, never an earlier
   * start's slot.
   */
  @Test
  void anUnwrittenDecisionGivesBackItsReservationButNotAStartedSnapshotsSlot() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry a = new Entry("ns", "a", "vm-a", "node-1", T0);
    Entry b = new Entry("ns", "b", "vm-b", "node-2", T0.plusSeconds(1));
    List<QuiescedSnapshot> cache = List.of(pending(a), pending(b));
    assertThat(slots.tryAdmit(a, cache).slotFree()).isTrue();
    assertThat(slots.startableNow(cache)).as("while A's reservation holds the slot").isEmpty();
    slots.abandon("ns", "a");
    assertThat(slots.startableNow(cache))
        .as("after it was given back")
        .extracting(Entry::name)
        .containsExactly("a");

    assertThat(slots.tryAdmit(a, cache).slotFree()).isTrue();
    started(slots, a);
    assertThat(slots.tryAdmit(a, cache).slotFree())
        .as("A reconciled again from a stale copy")
        .isTrue();
    slots.abandon("ns", "a");
    assertThat(slots.tryAdmit(b, cache).slotFree())
        .as("B while A, started, holds the only slot")
        .isFalse();
    assertThat(slots.startableNow(cache)).isEmpty();
  }

  /**
   * Issue 13's reproduction, cap 1: X is admitted from list L0 and starts; another reconcile looks
   * at a newer list L1 that shows X InProgress; then Y is reconciled from the old L0, where X is
   * still Pending. Counting from lists alone, X is counted nowhere and Y freezes next to X.
   */
  @Test
  void aNewerListThenAnOlderOneDoNotLoseAGrant() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry x = new Entry("ns", "x", "vm-x", "node-1", T0);
    Entry y = new Entry("ns", "y", "vm-y", "node-2", T0.plusSeconds(1));
    // L0: both just created, never reconciled (no place in a node's queue yet)
    List<QuiescedSnapshot> l0 =
        List.of(
            snapshot("x", "vm-x", null, SnapshotPhase.Pending, x.created()),
            snapshot("y", "vm-y", null, SnapshotPhase.Pending, y.created()));
    assertThat(slots.tryAdmit(x, l0).slotFree()).isTrue();
    started(slots, x);
    List<QuiescedSnapshot> l1 =
        List.of(
            snapshot("x", "vm-x", "node-1", SnapshotPhase.InProgress, x.created()),
            snapshot("y", "vm-y", null, SnapshotPhase.Pending, y.created()));
    slots.startableNow(l1);
    assertThat(slots.tryAdmit(y, l0).slotFree())
        .as("Y from the old list while X holds the only slot")
        .isFalse();
  }

  @Test
  void startableNowNamesWhoWouldBeAdmittedWithoutReservingAnything() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry a = new Entry("ns", "a", "vm-a", "node-1", T0);
    List<QuiescedSnapshot> cache =
        List.of(pending(a), pending(new Entry("ns", "b", "vm-b", "node-2", T0.plusSeconds(1))));
    assertThat(slots.startableNow(cache)).extracting(Entry::name).containsExactly("a");
    assertThat(slots.startableNow(cache)).extracting(Entry::name).containsExactly("a");
    assertThat(slots.tryAdmit(a, cache).slotFree()).isTrue();
    started(slots, a);
    assertThat(slots.startableNow(cache)).isEmpty();
  }

  /**
   * A Pending copy of X from any list, however old, after X's grant was released on evidence,
   * grants nothing by itself.
   */
  @Test
  void theHelpersRecordReleasesAHelperGrantAndAnOlderCopyCannotUndoIt() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry x = new Entry("ns", "x", "vm-x", "node-1", T0);
    Entry y = new Entry("ns", "y", "vm-y", "node-1", T0.plusSeconds(1));
    QuiescedSnapshot xPending = snapshot("x", "vm-x", null, SnapshotPhase.Pending, x.created());
    assertThat(slots.tryAdmit(x, List.of(xPending)).slotFree()).isTrue();
    started(slots, x);
    QuiescedSnapshot xAssigned =
        snapshot("x", "vm-x", "node-1", SnapshotPhase.InProgress, x.created());
    assertThat(slots.releaseOnEvidence(xAssigned))
        .as("assigned, not frozen yet: no evidence")
        .isFalse();
    assertThat(slots.held()).isEqualTo(1);

    QuiescedSnapshot xRecorded =
        snapshot("x", "vm-x", "node-1", SnapshotPhase.InProgress, x.created());
    xRecorded.getStatus().setFreeze(record(FreezeMethod.QGA, "Frozen"));
    assertThat(slots.releaseOnEvidence(xRecorded)).isTrue();
    assertThat(slots.releaseOnEvidence(xAssigned)).as("an older copy after the evidence").isFalse();
    assertThat(slots.tryAdmit(y, List.of(xAssigned, xPending)).slotFree()).isTrue();
  }

  /**
   * After NoAgentChannel the KubeVirt fallback takes a grant, and only KubeVirt's record releases
   * it.
   */
  @Test
  void aKubeVirtFallbackGrantIsReleasedOnlyByKubeVirtsRecord() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry x = new Entry("ns", "x", "vm-x", "node-1", T0);
    QuiescedSnapshot noChannel =
        snapshot("x", "vm-x", "node-1", SnapshotPhase.InProgress, x.created());
    noChannel.getStatus().setFreeze(record(null, Reason.NO_AGENT_CHANNEL.wire()));
    assertThat(slots.tryAdmitStarted(x, "uid-x", List.of(noChannel)).slotFree()).isTrue();
    slots.commit("ns", "x", FreezeSlots.Kind.KUBEVIRT);
    slots.settle("ns", "x");
    assertThat(slots.releaseOnEvidence(noChannel))
        .as("the helper's NoAgentChannel record")
        .isFalse();
    Entry y = new Entry("ns", "y", "vm-y", "node-2", T0.plusSeconds(1));
    assertThat(slots.tryAdmit(y, List.of(noChannel)).slotFree()).isFalse();

    QuiescedSnapshot kubeVirtRecorded =
        snapshot("x", "vm-x", "node-1", SnapshotPhase.InProgress, x.created());
    kubeVirtRecorded.getStatus().setFreeze(record(FreezeMethod.KUBEVIRT_API, "Frozen"));
    assertThat(slots.releaseOnEvidence(kubeVirtRecorded)).isTrue();
    assertThat(slots.tryAdmit(y, List.of(noChannel)).slotFree()).isTrue();
  }

  /**
   * The fallback's grant is taken while every copy of X shows the helper's hand-back, which is
   * evidence against a helper grant: another reconcile passing such a list before X commits must
   * not release it (it did, and the fallback then froze without a slot: a peak of cap + 1).
   */
  @Test
  void aFallbackGrantSurvivesOtherReconcilesBeforeItIsCommitted() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry x = new Entry("ns", "x", "vm-x", "node-1", T0);
    QuiescedSnapshot handedBack =
        snapshot("x", "vm-x", "node-1", SnapshotPhase.InProgress, x.created());
    handedBack
        .getStatus()
        .setHelperHandBack(new HelperHandBack(Reason.NO_AGENT_CHANNEL.wire(), null));
    assertThat(slots.tryAdmitStarted(x, "uid-x", List.of(handedBack)).slotFree()).isTrue();

    Entry y = new Entry("ns", "y", "vm-y", "node-2", T0.plusSeconds(1));
    assertThat(slots.startableNow(List.of(handedBack))).isEmpty();
    assertThat(slots.tryAdmit(y, List.of(handedBack)).slotFree()).as("y while x holds").isFalse();
    assertThat(slots.commit("ns", "x", FreezeSlots.Kind.KUBEVIRT)).isPresent();
  }

  /**
   * The KubeVirt fallback of X (started) is not held up by the snapshots of its own VM that wait
   * for X to end: counting them would keep both waiting until their deadlines.
   */
  @Test
  void aStartedSnapshotsFallbackIsNotBlockedByTheQueueOfItsOwnVm() {
    FreezeSlots slots = new FreezeSlots(2, 2);
    Entry x = new Entry("ns", "x", "vm-a", "node-1", T0.plusSeconds(5));
    QuiescedSnapshot xNoChannel =
        snapshot("x", "vm-a", "node-1", SnapshotPhase.InProgress, x.created());
    xNoChannel.getStatus().setFreeze(record(null, Reason.NO_AGENT_CHANNEL.wire()));
    QuiescedSnapshot olderOfSameVm = snapshot("y", "vm-a", "node-1", SnapshotPhase.Pending, T0);
    List<QuiescedSnapshot> list = List.of(xNoChannel, olderOfSameVm);

    assertThat(slots.tryAdmitStarted(x, "uid-x", list)).isEqualTo(new Admission(false, true));
    assertThat(slots.tryAdmit(new Entry("ns", "y", "vm-a", "node-1", T0), "uid-y", list).vmBusy())
        .as("the queued one still waits for X")
        .isTrue();
  }

  /**
   * A grant the reconcile took but did not write under goes back; terminal and deleted snapshots
   * free theirs.
   */
  @Test
  void unusedGrantsTerminalPhasesAndDeletionsFreeSlots() {
    FreezeSlots slots = new FreezeSlots(1, 1);
    Entry x = new Entry("ns", "x", "vm-x", "node-1", T0);
    assertThat(slots.tryAdmit(x, "uid-1", List.of()).slotFree()).isTrue();
    slots.settle("ns", "x");
    assertThat(slots.held()).as("taken, never committed").isZero();

    assertThat(slots.tryAdmit(x, "uid-1", List.of()).slotFree()).isTrue();
    started(slots, x);
    assertThat(
            slots.releaseOnEvidence(
                snapshot("x", "vm-x", "node-1", SnapshotPhase.Failed, x.created())))
        .isTrue();

    assertThat(slots.tryAdmit(x, "uid-1", List.of()).slotFree()).isTrue();
    started(slots, x);
    QuiescedSnapshot recreated = snapshot("x", "vm-x", null, SnapshotPhase.Pending, x.created());
    recreated.getMetadata().setUid("uid-2");
    assertThat(slots.releaseOnEvidence(recreated))
        .as("same name, another object: the granted one is gone")
        .isTrue();

    assertThat(slots.tryAdmit(x, "uid-2", List.of()).slotFree()).isTrue();
    started(slots, x);
    slots.release("ns", "x");
    assertThat(slots.held()).isZero();
  }

  /**
   * OperatorFailoverTest's breach (3 frozen under a cap of 2): while S's reconcile swapped slot 1
   * for S, another reconcile learned that slot 0's Lease names S (the former leader granted it
   * there) and adopted it. S's swap then lost, and giving back every grant of S dropped the adopted
   * slot 0 too: the next grant took slot 0 from S while S was frozen.
   */
  @Test
  void aLostSwapGivesBackOnlyItsOwnSlotNotOneTheSnapshotWasSeenHoldingElsewhere() {
    FreezeSlots slots = new FreezeSlots(2, 2);
    Entry w = new Entry("ns", "w", "vm-w", "node-1", T0.minusSeconds(1));
    Entry s = new Entry("ns", "s", "vm-s", "node-1", T0);
    Entry y = new Entry("ns", "y", "vm-y", "node-2", T0.plusSeconds(1));
    Entry z = new Entry("ns", "z", "vm-z", "node-2", T0.plusSeconds(2));
    List<QuiescedSnapshot> cache = List.of(pending(s), pending(y), pending(z));
    slots.adopt(new Grant(w, "uid-w", 0, Kind.HELPER, true, false));
    assertThat(slots.tryAdmit(s, "uid-s", cache).slotFree()).isTrue();
    slots.commit("ns", "s", Kind.HELPER);
    Grant mine = slots.grant("ns", "s").orElseThrow();
    assertThat(mine.slot()).isEqualTo(1);

    slots.adopt(new Grant(s, "uid-s", 0, Kind.HELPER, true, false)); // slot 0's Lease names S
    assertThat(slots.holds(mine)).as("S's swap of slot 1 may still go on").isTrue();
    slots.giveBack(mine); // ... and lost
    slots.settle("ns", "s");

    assertThat(slots.grant("ns", "s")).map(Grant::slot).hasValue(0);
    assertThat(slots.tryAdmit(y, "uid-y", cache).slotFree()).isTrue();
    assertThat(slots.grant("ns", "y")).map(Grant::slot).as("never S's slot 0").hasValue(1);
    assertThat(slots.tryAdmit(z, "uid-z", cache).slotFree())
        .as("S and Y hold both slots")
        .isFalse();
    assertThat(slots.held()).isEqualTo(2);
  }

  /** A grant whose slot was adopted by another snapshot meanwhile is no longer held: no swap. */
  @Test
  void aGrantWhoseSlotWasSeenHeldByAnotherSnapshotIsNotHeldAnyMore() {
    FreezeSlots slots = new FreezeSlots(2, 2);
    Entry s = new Entry("ns", "s", "vm-s", "node-1", T0);
    Entry x = new Entry("ns", "x", "vm-x", "node-2", T0.minusSeconds(1));
    assertThat(slots.tryAdmit(s, "uid-s", List.of(pending(s))).slotFree()).isTrue();
    Grant mine = slots.grant("ns", "s").orElseThrow();

    slots.adopt(new Grant(x, "uid-x", mine.slot(), Kind.HELPER, true, false));

    assertThat(slots.holds(mine)).isFalse();
    slots.giveBack(mine);
    assertThat(slots.grant("ns", "x")).map(Grant::slot).hasValue(mine.slot());
  }

  /**
   * A grant of this process is committed (the write that can lead to a freeze) and the reconcile
   * ends.
   */
  private static void started(FreezeSlots slots, Entry e) {
    slots.commit(e.namespace(), e.name(), FreezeSlots.Kind.HELPER);
    slots.settle(e.namespace(), e.name());
  }

  private static FreezeRecord record(FreezeMethod method, String reason) {
    FreezeRecord r = new FreezeRecord();
    r.setMethod(method);
    r.setReason(reason);
    return r;
  }

  private static QuiescedSnapshot pending(Entry e) {
    return snapshot(e.name(), e.vm(), e.node(), SnapshotPhase.Pending, e.created());
  }

  private static QuiescedSnapshot snapshot(
      String name, String vm, String node, SnapshotPhase phase, Instant created) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setNamespace("ns");
    s.getMetadata().setName(name);
    s.getMetadata().setCreationTimestamp(created.toString());
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(vm);
    s.setSpec(spec);
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(phase);
    status.setNodeName(node);
    s.setStatus(status);
    return s;
  }
}
