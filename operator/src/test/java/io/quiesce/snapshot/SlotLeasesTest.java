package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.events.EventRecorder;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.FreezeSlots.Grant;
import io.quiesce.snapshot.FreezeSlots.Kind;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    assertThat(holderOfSlot0(client, ns)).isEqualTo("uid-y");
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
  /**
   * The assignment's label goes out beside the swap, not after it: the swap waits (in the ledger's
   * first question) until the write has started, and the write waits until the Lease names the
   * snapshot, so only a write and a swap in flight together finish.
   */
  @Test
  void theAssignmentWriteRunsWhileTheSlotLeaseIsSwapped(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("beside");
    SlotLeases leases = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    CountDownLatch writing = new CountDownLatch(1);
    SlotLeases.Ledger waitsForTheWrite =
        new JudgingLedger() {
          @Override
          public boolean holds(Grant grant) {
            try {
              return writing.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
          }
        };

    SlotLeases.Beside<String> done =
        leases.acquireBeside(
            grant("x", "uid-x", 0),
            waitsForTheWrite,
            () -> {
              writing.countDown();
              await().atMost(Duration.ofSeconds(10)).until(() -> lease0Holder(client, ns) != null);
              return "labelled";
            });

    assertThat(done.lost()).isEmpty();
    assertThat(done.written()).isEqualTo("labelled");
    assertThat(holderOfSlot0(client, ns)).isEqualTo("uid-x");
  }

  @Test
  void aRefusedAssignmentWriteIsThrownOnlyOnceTheSwapIsDone(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("refused");
    SlotLeases leases = new SlotLeases(server.newClient(), ns, Clock.systemUTC());

    assertThatThrownBy(
            () ->
                leases.acquireBeside(
                    grant("x", "uid-x", 0),
                    EVERY_GRANT_HELD,
                    () -> {
                      throw new IllegalStateException("refused");
                    }))
        .hasMessage("refused");
    assertThat(holderOfSlot0(client, ns))
        .as("the swap finished before the write's failure was thrown")
        .isEqualTo("uid-x");
  }

  @Test
  void aSwapLostBesideALandedWriteReportsTheHolder(KubeApiServer server) {
    String ns = server.createNamespace("lostbeside");
    SlotLeases former = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    SlotLeases leader = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    assertThat(leader.load()).isEmpty();
    assertThat(former.acquire(grant("x", "uid-x", 0), EVERY_GRANT_HELD)).isEmpty();
    JudgingLedger ledger = new JudgingLedger();
    ledger.freezing.add("uid-x");

    SlotLeases.Beside<String> done =
        leader.acquireBeside(grant("y", "uid-y", 0), ledger, () -> "labelled");

    assertThat(done.lost()).hasValueSatisfying(h -> assertThat(h.uid()).isEqualTo("uid-x"));
    assertThat(done.written()).isEqualTo("labelled");
    assertThat(ledger.counted).containsExactly("uid-x");
  }

  private static String lease0Holder(KubernetesClient client, String ns) {
    Lease lease = client.leases().inNamespace(ns).withName("quiesce-slot-0").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static class JudgingLedger implements SlotLeases.Ledger {
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

  /**
   * A consistency group frozen by operator A, which then stops (paused: no more reconciles, its
   * window still runs), while operator B takes over with a ledger of its own. The group's two
   * grants fill the cap of 2: B must not start a third freeze until the group's window record is on
   * the object. The freezes are counted by a FAKE KubeVirt freeze subresource shared by both
   * operators (the cluster's KubeVirt), for failure injection: no guest is needed to hold a freeze.
   */
  @Test
  void aGroupFrozenByAPausedOperatorHoldsItsSlotsAgainstTheNewLeader(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("group-failover");
    Fixtures.runningVm(ns, "app").create(client);
    Fixtures.runningVm(ns, "db").create(client);
    Fixtures.runningVm(ns, "web").create(client);
    CountingKubeVirt kubeVirt = new CountingKubeVirt();
    SnapshotSettings settings =
        SnapshotTestSupport.settings(2, 2, io.quiesce.api.v1alpha1.QuiesceChannel.KUBEVIRT_API);
    QuiescedSnapshotReconciler a = reconciler(server, settings, kubeVirt);
    QuiescedSnapshotReconciler b = reconciler(server, settings, kubeVirt);

    QuiescedSnapshot group0 = client.resource(group(ns, "shop", "app", "db")).create();
    a.reconcile(group0, FakeReconcileContext.of(client, group0, List.of(group0)));
    QuiescedSnapshot group = live(client, ns, "shop");
    assertThat(group.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);
    assertThat(
            client
                .leases()
                .inNamespace(OPERATOR_NAMESPACE)
                .withLabel(SlotLeases.SLOT_LABEL)
                .list()
                .getItems())
        .as("the group's grants are on their slot Leases")
        .hasSize(2)
        .allSatisfy(
            l -> {
              assertThat(l.getSpec().getHolderIdentity()).isEqualTo(group.getMetadata().getUid());
              assertThat(l.getMetadata().getAnnotations())
                  .containsEntry(SlotLeases.KIND_ANNOTATION, "GROUP");
            });
    await("operator-a's window froze both VMs")
        .atMost(Duration.ofSeconds(20))
        .until(() -> kubeVirt.frozen().size() == 2);

    // operator-a is paused from here; operator-b leads and reconciles a single snapshot
    QuiescedSnapshot single0 =
        client.resource(snapshot(ns, "single", "web", QuiesceMode.Required, "5m")).create();
    b.reconcile(single0, FakeReconcileContext.of(client, single0, List.of(group, single0)));

    QuiescedSnapshot single = live(client, ns, "single");
    assertThat(single.getStatus().getPhase())
        .as("the group's VMs fill the cap: operator-b must not start a third freeze")
        .isEqualTo(SnapshotPhase.Pending);
    assertThat(kubeVirt.frozenEver()).doesNotContain("web");
    assertThat(kubeVirt.peak()).isEqualTo(2);

    // the cut completes, the window thaws both VMs; operator-a wakes and writes its record
    try (FakeSnapshotter csi =
        FakeSnapshotter.start(server.newClient(), Duration.ofMillis(50), Duration.ofMillis(50))) {
      await("operator-a records the group's window")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                QuiescedSnapshot g = live(client, ns, "shop");
                a.reconcile(g, FakeReconcileContext.of(client, g, List.of(g)));
                QuiescedSnapshotStatus st = live(client, ns, "shop").getStatus();
                // its record (the cut done), or Failed if a loaded run cut too late
                return st.getConsistency() != null || st.getPhase() == SnapshotPhase.Failed;
              });
      QuiescedSnapshot recorded = live(client, ns, "shop");
      QuiescedSnapshot waiting = live(client, ns, "single");
      b.slots().observe(recorded); // operator-b's informer delivers the group's record
      b.reconcile(waiting, FakeReconcileContext.of(client, waiting, List.of(recorded, waiting)));

      assertThat(live(client, ns, "single").getStatus().getPhase())
          .as("the group's record frees its slots for operator-b")
          .isEqualTo(SnapshotPhase.InProgress);
      await("the single is frozen")
          .atMost(Duration.ofSeconds(20))
          .until(() -> kubeVirt.frozenEver().contains("web"));
      assertThat(kubeVirt.peak()).as("freezes at once across the failover").isEqualTo(2);
    }
  }

  /**
   * A group takes its slot Leases all or none: when another operator's freeze holds one of its
   * slots, the Lease it took already is given back (it names nobody again) and the group waits.
   */
  @Test
  void aGroupThatLosesOneSlotGivesBackTheOthersAndWaits(KubeApiServer server) {
    String ns = server.createNamespace("group-lost");
    SlotLeases other = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    SlotLeases mine = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    FreezeSlots slots = new FreezeSlots(2, 2);
    // the other operator froze X under slot 1; this one has not seen it yet
    assertThat(other.acquire(grant("x", "uid-x", 1), EVERY_GRANT_HELD)).isEmpty();
    FreezeAdmission.Request shop =
        new FreezeAdmission.Request(
            List.of(
                new Entry("ns", "shop", "app", "node-1", T0),
                new Entry("ns", "shop", "db", "node-2", T0)));
    assertThat(slots.tryAdmitWhole(shop, "uid-shop", List.of()))
        .isEqualTo(FreezeSlots.WholeAdmission.ADMITTED);
    List<Grant> grants = slots.wholeGrants("ns", "shop");
    assertThat(grants).extracting(Grant::slot).containsExactly(0, 1);
    JudgingLedger ledger =
        new JudgingLedger() {
          @Override
          public boolean holds(Grant grant) {
            return slots.holds(grant);
          }

          @Override
          public void lost(Grant grant, SlotLeases.Holder holder) {
            slots.giveBack(grant);
            super.lost(grant, holder);
          }
        };
    ledger.freezing.add("uid-x");

    assertThat(mine.acquire(grants.get(0), ledger)).as("slot 0 is free").isEmpty();
    assertThat(mine.acquire(grants.get(1), ledger))
        .hasValueSatisfying(h -> assertThat(h.uid()).isEqualTo("uid-x"));
    mine.release(grants.get(0));
    slots.releaseWhole("ns", "shop");

    Lease slot0 = server.newClient().leases().inNamespace(ns).withName("quiesce-slot-0").get();
    assertThat(slot0.getSpec().getHolderIdentity()).as("given back: names nobody").isNull();
    assertThat(slot0.getMetadata().getAnnotations())
        .doesNotContainKey(SlotLeases.SNAPSHOT_ANNOTATION);
    assertThat(slots.held()).as("no grant of the group is left").isZero();
    assertThat(ledger.counted).containsExactly("uid-x");
    // a stale give-back (someone swapped the Lease since) leaves the Lease as it is
    assertThat(other.acquire(grant("y", "uid-y", 0), EVERY_GRANT_HELD)).isEmpty();
    mine.release(grants.get(0));
    assertThat(holderOfSlot0(server.newClient(), ns)).isEqualTo("uid-y");
  }

  /**
   * Another operator's Lease naming this very group is its cover (it may be freezing the group
   * under it): a group never takes it as its own, so its give-back can never hit it.
   */
  @Test
  void aGroupNeverTakesOverAnotherOperatorsLeaseOfTheSameGroup(KubeApiServer server) {
    String ns = server.createNamespace("group-twice");
    SlotLeases other = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    SlotLeases mine = new SlotLeases(server.newClient(), ns, Clock.systemUTC());
    Grant theirs = groupGrant("app", 0);
    assertThat(other.acquire(theirs, EVERY_GRANT_HELD)).isEmpty();
    JudgingLedger ledger = new JudgingLedger();
    ledger.freezing.add("uid-shop");
    assertThat(mine.load()).hasSize(1);

    assertThat(mine.acquire(groupGrant("db", 0), ledger))
        .hasValueSatisfying(h -> assertThat(h.uid()).isEqualTo("uid-shop"));
    mine.release(groupGrant("db", 0));
    assertThat(
            server
                .newClient()
                .leases()
                .inNamespace(ns)
                .withName("quiesce-slot-0")
                .get()
                .getMetadata()
                .getAnnotations())
        .as("still the other operator's grant")
        .containsEntry(SlotLeases.SNAPSHOT_ANNOTATION, "ns/shop");
  }

  private static Grant groupGrant(String vm, int slot) {
    return new Grant(
        new Entry("ns", "shop", vm, "node-1", T0), "uid-shop", slot, Kind.GROUP, true, false);
  }

  private static QuiescedSnapshotReconciler reconciler(
      KubeApiServer server, SnapshotSettings settings, KubeVirtFreezeApi kubeVirt) {
    KubernetesClient own = server.newClient();
    QuiescedSnapshotReconciler r =
        new QuiescedSnapshotReconciler(
            own,
            settings,
            kubeVirt,
            new EventRecorder(
                own,
                EventRecorder.Reporter.operator("test-operator"),
                Clock.systemUTC(),
                Runnable::run),
            new SnapshotMetrics(new SimpleMeterRegistry()));
    r.readFrom(new LiveReads(own, OPERATOR_NAMESPACE));
    return r;
  }

  private static QuiescedSnapshot group(String ns, String name, String... vms) {
    QuiescedSnapshot s = snapshot(ns, name, null, QuiesceMode.Required, "5m");
    s.getSpec().getQuiesce().setTimeout("25s");
    SnapshotSources sources = new SnapshotSources();
    sources.setVms(List.of(vms));
    s.getSpec().setSources(sources);
    return s;
  }

  private static String holderOfSlot0(KubernetesClient client, String ns) {
    return client
        .leases()
        .inNamespace(ns)
        .withName("quiesce-slot-0")
        .get()
        .getSpec()
        .getHolderIdentity();
  }

  private static QuiescedSnapshot live(KubernetesClient client, String ns, String name) {
    return client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get();
  }

  /**
   * A FAKE KubeVirt freeze subresource: every freeze and unfreeze answers at once and is counted
   * per VM, so the test sees how many VMs were frozen at once.
   */
  private static final class CountingKubeVirt implements KubeVirtFreezeApi {
    private final Set<String> frozen = new HashSet<>();
    private final Set<String> ever = new HashSet<>();
    private int peak;

    @Override
    public synchronized void freeze(String namespace, String name, Duration unfreezeTimeout) {
      frozen.add(name);
      ever.add(name);
      peak = Math.max(peak, frozen.size());
    }

    @Override
    public synchronized void unfreeze(String namespace, String name) {
      frozen.remove(name);
    }

    @Override
    public List<KubeVirtFilesystem> filesystemList(String namespace, String name) {
      return List.of();
    }

    @Override
    public GuestAgentInfo guestOsInfo(String namespace, String name) {
      return new GuestAgentInfo("", List.of());
    }

    synchronized Set<String> frozen() {
      return Set.copyOf(frozen);
    }

    synchronized Set<String> frozenEver() {
      return Set.copyOf(ever);
    }

    synchronized int peak() {
      return peak;
    }
  }

  private static Grant grant(String name, String uid, int slot) {
    return new Grant(
        new Entry("ns", name, "vm-" + name, "node-1", T0), uid, slot, Kind.HELPER, true, false);
  }
}
