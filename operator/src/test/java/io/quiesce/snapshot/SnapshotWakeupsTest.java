package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What reconciles an open snapshot, counted per snapshot (JOSDK's metrics hook): in a fire over
 * hundreds of VMs most reconciles came from wake-ups that could not change a decision.
 */
@KubeApiTest
class SnapshotWakeupsTest {

  /**
   * A helper's heartbeat that appears (or comes back after going stale) reconciles the open
   * snapshots on its node, not every open snapshot: on a loaded machine heartbeats go stale and
   * come back often, and each time every open snapshot of a fire was reconciled.
   */
  @Test
  void aHeartbeatWakesOnlyTheSnapshotsOnItsNode(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("heartbeats");
    Fixtures.runningVm(ns, "vm-a")
        .onNode("node-a")
        .withPvcDisk("root", "vm-a-root", "1Gi")
        .create(client);
    SnapshotSettings noTimedRequeue =
        new SnapshotSettings(
            4,
            4,
            QuiesceChannel.AUTO,
            OPERATOR_NAMESPACE,
            SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
            Duration.ofMinutes(10),
            Clock.systemUTC());
    Map<String, AtomicInteger> reconciles = new ConcurrentHashMap<>();
    KubernetesClient operatorClient = server.newClient();
    try (FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(), Behaviour.NEVER_ANSWERS, OPERATOR_NAMESPACE, "node-a");
        QuiesceTestOperator op =
            QuiesceTestOperator.start(
                operatorClient,
                o -> o.withMetrics(counting(reconciles)),
                SnapshotTestSupport.reconciler(
                    operatorClient, noTimedRequeue, new SimpleMeterRegistry()))) {
      client.resource(snapshot(ns, "snap-a", "vm-a", QuiesceMode.Required, "10m")).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("snap-a").get(),
              s -> s.getStatus() != null && s.getStatus().getPhase() == SnapshotPhase.InProgress);
      // assigned to node-a's helper, which never answers: it stays open and nothing wakes it
      AtomicInteger seen = new AtomicInteger(-1);
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(30))
          .until(() -> seen.getAndSet(count(reconciles, "snap-a")) == count(reconciles, "snap-a"));
      int quiet = count(reconciles, "snap-a");

      client.resource(heartbeat("node-b", ZonedDateTime.now(ZoneOffset.UTC))).create();
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(() -> count(reconciles, "snap-a") == quiet);

      // the control: node-a's helper comes back (renewed after a gap longer than the staleness)
      Lease a =
          client
              .leases()
              .inNamespace(OPERATOR_NAMESPACE)
              .withName(ClusterObserver.HELPER_LEASE_PREFIX + "node-a")
              .get();
      a.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(2));
      client.resource(a).update();
      await().atMost(Duration.ofSeconds(30)).until(() -> count(reconciles, "snap-a") > quiet);
    }
  }

  /**
   * A snapshot waiting for a freeze slot is woken when one frees; its timed requeue is a backstop
   * of several {@code waitRequeue}s, not one: at one, each of the hundreds queued in a fire was
   * reconciled every 5 s for nothing.
   */
  @Test
  void aSnapshotWaitingForASlotIsNotReconciledEveryWaitRequeue(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("slotwait");
    for (String vm : new String[] {"vm-1", "vm-2"}) {
      Fixtures.runningVm(ns, vm)
          .onNode("node-c")
          .withPvcDisk("root", vm + "-root", "1Gi")
          .create(client);
    }
    Duration waitRequeue = Duration.ofMillis(300);
    // one slot on node-c; the cluster cap leaves room for a slot a test before may have left held
    SnapshotSettings oneSlot =
        new SnapshotSettings(
            4,
            1,
            QuiesceChannel.AUTO,
            OPERATOR_NAMESPACE,
            SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
            waitRequeue,
            Clock.systemUTC());
    Map<String, AtomicInteger> reconciles = new ConcurrentHashMap<>();
    KubernetesClient operatorClient = server.newClient();
    try (FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(), Behaviour.NEVER_ANSWERS, OPERATOR_NAMESPACE, "node-c");
        QuiesceTestOperator op =
            QuiesceTestOperator.start(
                operatorClient,
                o -> o.withMetrics(counting(reconciles)),
                SnapshotTestSupport.reconciler(
                    operatorClient, oneSlot, new SimpleMeterRegistry()))) {
      client.resource(snapshot(ns, "first", "vm-1", QuiesceMode.Required, "10m")).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("first").get(),
              s -> s.getStatus() != null && s.getStatus().getPhase() == SnapshotPhase.InProgress);
      // "first" holds node-c's only slot for good (its helper never answers): "second" waits
      client.resource(snapshot(ns, "second", "vm-2", QuiesceMode.Required, "10m")).create();
      await().atMost(Duration.ofSeconds(30)).until(() -> count(reconciles, "second") > 0);
      int atStart = count(reconciles, "second");
      long window =
          waitRequeue.multipliedBy(QuiescedSnapshotReconciler.SLOT_WAIT_BACKSTOP).toMillis();
      // over one backstop period, a requeue every waitRequeue would have reconciled it 6 times
      await()
          .during(Duration.ofMillis(window - 100))
          .atMost(Duration.ofMillis(window * 3))
          .until(() -> count(reconciles, "second") - atStart <= 1);
    }
  }

  private static Metrics counting(Map<String, AtomicInteger> reconciles) {
    return new Metrics() {
      @Override
      public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
        reconciles
            .computeIfAbsent(resource.getMetadata().getName(), n -> new AtomicInteger())
            .incrementAndGet();
      }
    };
  }

  private static int count(Map<String, AtomicInteger> reconciles, String name) {
    AtomicInteger n = reconciles.get(name);
    return n == null ? 0 : n.get();
  }

  private static Lease heartbeat(String node, ZonedDateTime renewed) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(ClusterObserver.HELPER_LEASE_PREFIX + node)
        .withNamespace(OPERATOR_NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity("fake-helper-" + node)
        .withLeaseDurationSeconds(30)
        .withRenewTime(renewed)
        .endSpec()
        .build();
  }
}
