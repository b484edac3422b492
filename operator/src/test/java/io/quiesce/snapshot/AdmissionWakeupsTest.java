package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Who is woken, and when: only the snapshots that may start, and only when something was released.
 * A fire over hundreds of VMs used to wake the queue head again on every reconcile of a snapshot
 * whose freeze was recorded, whether or not it freed anything.
 */
class AdmissionWakeupsTest {
  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");
  private final AtomicInteger version = new AtomicInteger();

  @Test
  void aReleasedSlotWakesTheNextWaitingSnapshotOnceAndNoOneElse() {
    FreezeSlots slots = new FreezeSlots(1, 4);
    AdmissionWakeups wakeups = new AdmissionWakeups(slots);
    List<String> woken = new ArrayList<>();
    wakeups.setEventHandler(e -> woken.add(e.getRelatedCustomResourceID().getName()));
    wakeups.start();
    Entry a = new Entry("ns", "a", "vm-a", "node-1", T0);
    Entry b = new Entry("ns", "b", "vm-b", "node-2", T0.plusSeconds(1));
    Entry c = new Entry("ns", "c", "vm-c", "node-3", T0.plusSeconds(2));
    for (Entry e : List.of(a, b, c)) {
      wakeups.onResourceCreated(snapshot(e, SnapshotPhase.Pending, null));
    }
    assertThat(slots.tryAdmit(a, "uid-a").slotFree()).isTrue();
    slots.commit("ns", "a", FreezeSlots.Kind.HELPER);
    slots.settle("ns", "a");
    QuiescedSnapshot assigned = snapshot(a, SnapshotPhase.InProgress, null);
    wakeups.onResourceUpdated(assigned, snapshot(a, SnapshotPhase.Pending, null));
    wakeups.wakeIfReleased(); // a reconcile that freed nothing
    assertThat(woken).as("nothing was released: no one is woken").isEmpty();

    FreezeRecord thawed = new FreezeRecord();
    thawed.setMethod(FreezeMethod.QGA);
    wakeups.onResourceUpdated(snapshot(a, SnapshotPhase.InProgress, thawed), assigned);
    assertThat(slots.held()).isZero();
    assertThat(woken)
        .as("the helper's record freed a's slot: b, first in line, may start")
        .containsExactly("b");

    wakeups.wakeIfReleased(); // the reconcile of a that follows its record
    wakeups.onResourceUpdated(
        snapshot(a, SnapshotPhase.InProgress, thawed),
        snapshot(a, SnapshotPhase.InProgress, thawed));
    assertThat(woken).as("no second wake-up for the same release").containsExactly("b");
  }

  private QuiescedSnapshot snapshot(Entry e, SnapshotPhase phase, FreezeRecord freeze) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setNamespace(e.namespace());
    s.getMetadata().setName(e.name());
    s.getMetadata().setUid("uid-" + e.name());
    s.getMetadata().setResourceVersion(Integer.toString(version.incrementAndGet()));
    s.getMetadata().setCreationTimestamp(e.created().toString());
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(e.vm());
    s.setSpec(spec);
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(phase);
    status.setNodeName(e.node());
    status.setFreeze(freeze);
    s.setStatus(status);
    return s;
  }
}
