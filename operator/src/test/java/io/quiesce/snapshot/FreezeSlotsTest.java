package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreezeSlotsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

    /**
     * B (older) waited only because its VM was busy; A started past it. A reconcile of A from a cache
     * older than A's own status write must not give A's slot away, or B freezes next to A over the cap.
     */
    @Test
    void aStartedSnapshotSeenPendingByAStaleCacheKeepsItsSlot() {
        FreezeSlots slots = new FreezeSlots(1, 1);
        Entry a = new Entry("ns", "a", "vm-a", "node-1", T0.plusSeconds(1));
        Entry b = new Entry("ns", "b", "vm-b", "node-2", T0);
        QuiescedSnapshot otherOfVmB = snapshot("c", "vm-b", null, SnapshotPhase.InProgress, T0.minusSeconds(1));
        List<QuiescedSnapshot> whileVmBBusy = List.of(otherOfVmB, pending(b), pending(a));
        assertThat(slots.tryAdmit(a, whileVmBBusy).slotFree()).isTrue();
        slots.confirm(a, "node-1");

        QuiescedSnapshot otherDone = snapshot("c", "vm-b", null, SnapshotPhase.Succeeded, T0.minusSeconds(1));
        List<QuiescedSnapshot> stale = List.of(otherDone, pending(b), pending(a));
        assertThat(slots.tryAdmit(a, stale).slotFree()).as("A, already started, reconciled from a stale cache").isTrue();
        assertThat(slots.tryAdmit(b, stale).slotFree()).as("B while A holds the only slot").isFalse();
        assertThat(slots.startableNow(stale)).isEmpty();
    }

    /** The reconcile's copy of A says Pending, the cache listed after it already says A started. */
    @Test
    void aSnapshotTheCacheShowsStartedKeepsItsSlotWhateverItsOwnCopySays() {
        FreezeSlots slots = new FreezeSlots(1, 1);
        Entry a = new Entry("ns", "a", "vm-a", "node-1", T0.plusSeconds(1));
        Entry b = new Entry("ns", "b", "vm-b", "node-2", T0);
        List<QuiescedSnapshot> cache = List.of(snapshot("a", "vm-a", "node-1", SnapshotPhase.InProgress, a.created()),
                pending(b));
        assertThat(slots.tryAdmit(a, cache).slotFree()).isTrue();
        assertThat(slots.tryAdmit(b, cache).slotFree()).as("B while A holds the only slot").isFalse();
    }

    /** A decision that was not written (stale copy) gives back what it reserved, never an earlier start's slot. */
    @Test
    void anUnwrittenDecisionGivesBackItsReservationButNotAStartedSnapshotsSlot() {
        FreezeSlots slots = new FreezeSlots(1, 1);
        Entry a = new Entry("ns", "a", "vm-a", "node-1", T0);
        Entry b = new Entry("ns", "b", "vm-b", "node-2", T0.plusSeconds(1));
        List<QuiescedSnapshot> cache = List.of(pending(a), pending(b));
        assertThat(slots.tryAdmit(a, cache).slotFree()).isTrue();
        assertThat(slots.startableNow(cache)).as("while A's reservation holds the slot").isEmpty();
        slots.abandon("ns", "a");
        assertThat(slots.startableNow(cache)).as("after it was given back").extracting(Entry::name)
                .containsExactly("a");

        assertThat(slots.tryAdmit(a, cache).slotFree()).isTrue();
        slots.confirm(a, "node-1");
        assertThat(slots.tryAdmit(a, cache).slotFree()).as("A reconciled again from a stale copy").isTrue();
        slots.abandon("ns", "a");
        assertThat(slots.tryAdmit(b, cache).slotFree()).as("B while A, started, holds the only slot").isFalse();
        assertThat(slots.startableNow(cache)).isEmpty();
    }

    @Test
    void startableNowNamesWhoWouldBeAdmittedWithoutReservingAnything() {
        FreezeSlots slots = new FreezeSlots(1, 1);
        Entry a = new Entry("ns", "a", "vm-a", "node-1", T0);
        List<QuiescedSnapshot> cache = List.of(pending(a), pending(new Entry("ns", "b", "vm-b", "node-2", T0.plusSeconds(1))));
        assertThat(slots.startableNow(cache)).extracting(Entry::name).containsExactly("a");
        assertThat(slots.startableNow(cache)).extracting(Entry::name).containsExactly("a");
        assertThat(slots.tryAdmit(a, cache).slotFree()).isTrue();
        slots.confirm(a, "node-1");
        assertThat(slots.startableNow(cache)).isEmpty();
    }

    private static QuiescedSnapshot pending(Entry e) {
        return snapshot(e.name(), e.vm(), e.node(), SnapshotPhase.Pending, e.created());
    }

    private static QuiescedSnapshot snapshot(String name, String vm, String node, SnapshotPhase phase, Instant created) {
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
