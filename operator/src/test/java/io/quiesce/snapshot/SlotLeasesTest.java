package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.FreezeSlots.Grant;
import io.quiesce.snapshot.FreezeSlots.Kind;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The freeze slot Leases on the in-JVM API server: the compare-and-swap that keeps two operator
 * processes (a paused former leader and the new one) from handing out the same slot, and what a new
 * leader reads before its first grant.
 */
@KubeApiTest
class SlotLeasesTest {
  private static final Instant T0 = Instant.parse("2026-12-05T00:00:00Z");

  /**
   * A ledger that holds every grant and judges every holder's freeze over: these tests look at the
   * Leases only.
   */
  private static final SlotLeases.Ledger EVERY_GRANT_HELD =
      new SlotLeases.Ledger() {
        @Override
        public boolean holds(Grant grant) {
          return true;
        }

        @Override
        public boolean mayStillFreeze(SlotLeases.Holder holder) {
          return false;
        }

        @Override
        public void lost(Grant grant, SlotLeases.Holder holder) {}
      };

  @Test
  void aPausedFormerLeaderCannotHandOutASlotTheNewLeaderGaveAway(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("slots");
    SlotLeases former = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    SlotLeases leader = new SlotLeases(server.newClient(), ns, Clock.systemUTC());

    assertThat(former.acquire(grant("x", "uid-x", 0), EVERY_GRANT_HELD))
        .as("the former leader grants slot 0 to X")
        .isEmpty();
    // the former leader pauses; the new one reads the slots before its first grant
    assertThat(leader.load()).extracting(SlotLeases.Holder::uid).containsExactly("uid-x");
    // X's freeze ends (its record: evidence); the new leader gives slot 0 to Z
    assertThat(leader.acquire(grant("z", "uid-z", 0), EVERY_GRANT_HELD)).isEmpty();
    // the former leader wakes up, sees X's record too, and would give slot 0 to Y
    Optional<SlotLeases.Holder> lost = former.acquire(grant("y", "uid-y", 0), EVERY_GRANT_HELD);

    assertThat(lost)
        .as("the swap from a version that is no longer stored fails")
        .hasValueSatisfying(h -> assertThat(h.uid()).isEqualTo("uid-z"));
    Lease stored = client.leases().inNamespace(ns).withName("quiesce-slot-0").get();
    assertThat(stored.getSpec().getHolderIdentity()).isEqualTo("uid-z");
    assertThat(stored.getMetadata().getAnnotations())
        .containsEntry(SlotLeases.SNAPSHOT_ANNOTATION, "ns/z")
        .containsEntry(SlotLeases.NODE_ANNOTATION, "node-1");
    // having re-read it, the former leader swaps from the current version next time (after Z's
    // evidence)
    assertThat(former.acquire(grant("y", "uid-y", 0), EVERY_GRANT_HELD)).isEmpty();
    assertThat(
            client
                .leases()
                .inNamespace(ns)
                .withName("quiesce-slot-0")
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo("uid-y");
  }

  @Test
  void aSlotLeaseThisProcessNeverReadIsNotTakenOverBeforeItsHolderIsCounted(KubeApiServer server) {
    String ns = server.createNamespace("unknown");
    SlotLeases former = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    SlotLeases leader = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    JudgingLedger ledger = new JudgingLedger();
    assertThat(leader.load()).as("the new leader starts: no slot Lease yet").isEmpty();
    // the paused former leader wakes and creates slot 4 for X after the new leader's read
    assertThat(former.acquire(grant("x", "uid-x", 4), EVERY_GRANT_HELD)).isEmpty();
    ledger.freezing.add("uid-x");

    assertThat(leader.acquire(grant("y", "uid-y", 4), ledger))
        .as("the new leader meets X's Lease for the first time")
        .hasValueSatisfying(h -> assertThat(h.uid()).isEqualTo("uid-x"));
    assertThat(ledger.counted).containsExactly("uid-x");
    // once its ledger has seen X's freeze over, it swaps from the version it read
    ledger.freezing.remove("uid-x");
    assertThat(leader.acquire(grant("y", "uid-y", 4), ledger)).isEmpty();
    assertThat(former.acquire(grant("w", "uid-w", 4), EVERY_GRANT_HELD))
        .hasValueSatisfying(h -> assertThat(h.uid()).isEqualTo("uid-y"));
  }

  /**
   * OperatorFailoverTest's second breach: this process swapped slot 1 for S, its write assigning S
   * was refused (the other operator had assigned S meanwhile, under the same slot), and its ledger
   * gave the grant back. The Lease it last wrote still names S: it must not be swapped to Z while S
   * may be frozen, although this process wrote that version itself.
   */
  @Test
  void aLeaseNamingASnapshotThatMayStillFreezeIsNotSwappedAwayEvenFromOurOwnVersion(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("own");
    SlotLeases leases = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    JudgingLedger ledger = new JudgingLedger();
    assertThat(leases.acquire(grant("s", "uid-s", 1), ledger)).isEmpty();
    ledger.freezing.add("uid-s"); // assigned (by whoever) and not recorded yet

    assertThat(leases.acquire(grant("z", "uid-z", 1), ledger))
        .hasValueSatisfying(h -> assertThat(h.uid()).isEqualTo("uid-s"));
    assertThat(ledger.counted).as("S counted again").containsExactly("uid-s");
    assertThat(client.leases().inNamespace(ns).withName("quiesce-slot-1").get())
        .extracting(l -> l.getSpec().getHolderIdentity())
        .isEqualTo("uid-s");

    ledger.freezing.remove("uid-s"); // S's record: evidence
    assertThat(leases.acquire(grant("z", "uid-z", 1), ledger)).isEmpty();
    assertThat(client.leases().inNamespace(ns).withName("quiesce-slot-1").get())
        .extracting(l -> l.getSpec().getHolderIdentity())
        .isEqualTo("uid-z");
  }

  /** A ledger that holds every grant and judges the holders whose uid it is told are freezing. */
  private static final class JudgingLedger implements SlotLeases.Ledger {
    final Set<String> freezing = new HashSet<>();
    final List<String> counted = new ArrayList<>();

    @Override
    public boolean holds(Grant grant) {
      return true;
    }

    @Override
    public boolean mayStillFreeze(SlotLeases.Holder holder) {
      return freezing.contains(holder.uid());
    }

    @Override
    public void lost(Grant grant, SlotLeases.Holder holder) {
      if (mayStillFreeze(holder)) {
        counted.add(holder.uid());
      }
    }
  }

  @Test
  void aHolderWhoseSnapshotIsGoneOrDoneIsNotCountedByANewLeader(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("gone");
    SlotLeases leases = new SlotLeases(client, ns, Clock.systemUTC());
    SlotLeases.Holder gone =
        new SlotLeases.Holder(0, "uid-gone", ns, "deleted-snapshot", "node-1", Kind.HELPER);
    assertThat(leases.stillFreezing(gone, List.of())).as("no such snapshot (one GET)").isEmpty();
  }

  private static Grant grant(String name, String uid, int slot) {
    return new Grant(
        new Entry("ns", name, "vm-" + name, "node-1", T0), uid, slot, Kind.HELPER, true, false);
  }
}
