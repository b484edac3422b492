package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.operator.OperatorSettings;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A leader failover under load: two operator instances in one JVM, each with its own client, ledger
 * and JOSDK leader election on the Lease {@code quiesce-operator}. The leader is paused while it
 * holds grants (every request of its client blocks: its reconcilers and its Lease renewals stop
 * where they are), the other becomes leader and admits work, then the paused one wakes up still
 * believing it leads (JOSDK configured not to exit) and sends what it had in flight: stale Lease
 * swaps, stale assignments. A FAKE node helper that, as the real one, freezes only while the
 * snapshot's slot Lease names it counts the freezes: they never exceed the cap.
 */
@KubeApiTest
class OperatorFailoverTest {
  private static final int CAP = 2;
  private static final int VMS = 12;

  @Test
  void aPausedLeaderAndItsSuccessorNeverFreezeMoreThanTheCap(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("failover");
    String[] nodes = {"node-a", "node-b"};
    for (int i = 0; i < VMS; i++) {
      Fixtures.runningVm(ns, "vm-" + i)
          .onNode(nodes[i % nodes.length])
          .withPvcDisk("root", "vm-" + i + "-root", "1Gi")
          .create(client);
    }
    // JOSDK asks whether it may use Leases before it elects; the test API server has no authorizer
    server
        .mockServer()
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
                + "\"spec\":{},\"status\":{\"incomplete\":false,\"nonResourceRules\":[],\"resourceRules\":"
                + "[{\"apiGroups\":[\"coordination.k8s.io\"],\"resources\":[\"leases\"],"
                + "\"verbs\":[\"get\",\"create\",\"update\"]}]}}")
        .always();
    PauseSwitch pause = new PauseSwitch();
    SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    try (KubernetesClient clientA = pausable(server, pause);
        FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(700), Duration.ofMillis(50));
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                    server.newClient(),
                    Behaviour.FREEZE_OK,
                    OPERATOR_NAMESPACE,
                    8,
                    List.of(nodes),
                    Duration.ofSeconds(20))
                .checkingSlotLeases();
        QuiesceTestOperator a = elected(clientA, "operator-a", registryA)) {
      await("operator-a leads")
          .atMost(Duration.ofSeconds(20))
          .until(() -> "operator-a".equals(leader(client)));
      try (QuiesceTestOperator b = elected(server.newClient(), "operator-b", registryB)) {
        for (int i = 0; i < VMS; i++) {
          client
              .resource(snapshot(ns, "snap-" + i, "vm-" + i, QuiesceMode.Required, "300s"))
              .create();
        }
        await("operator-a holds grants: a freeze under its slots")
            .atMost(Duration.ofSeconds(30))
            .until(() -> helper.freezes() >= 1 && slotLeasesHeld(client) >= 1);

        pause.pause();
        // what operator-a had not assigned when it stopped (its in-flight writes wait with it)
        Set<String> pendingAtPause =
            client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems().stream()
                .filter(
                    s ->
                        s.getStatus() == null
                            || s.getStatus().getPhase() == null
                            || s.getStatus().getPhase() == SnapshotPhase.Pending)
                .map(s -> s.getMetadata().getName())
                .collect(Collectors.toSet());
        await("operator-b takes over")
            .atMost(Duration.ofSeconds(30))
            .until(() -> "operator-b".equals(leader(client)));
        await("operator-b admits work while operator-a is paused")
            .atMost(Duration.ofSeconds(30))
            .until(() -> helper.frozenNames().stream().anyMatch(pendingAtPause::contains));

        // operator-a wakes up believing it leads: its blocked writes go out, its reconcilers go on
        pause.resume();
        List<QuiescedSnapshot> done =
            await("every snapshot terminal")
                .atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .until(
                    () ->
                        client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems(),
                    all ->
                        all.size() == VMS
                            && all.stream()
                                .allMatch(
                                    s ->
                                        s.getStatus() != null
                                            && (s.getStatus().getPhase() == SnapshotPhase.Succeeded
                                                || s.getStatus().getPhase()
                                                    == SnapshotPhase.Failed)));

        assertThat(done)
            .allSatisfy(
                s ->
                    assertThat(s.getStatus().getPhase())
                        .as(s.getMetadata().getName())
                        .isEqualTo(SnapshotPhase.Succeeded));
        assertThat(helper.maxFrozenInCluster())
            .as("concurrent freezes across the failover: " + helper.peakSet())
            .isBetween(1, CAP);
        assertThat(helper.timesAVmWasFrozenTwice()).isZero();
        assertThat(helper.assignedWithoutSlot()).as("every assignment named its slot").isZero();
        assertThat(helper.freezes()).isGreaterThanOrEqualTo(VMS);
      }
    }
  }

  /**
   * An operator instance with its own ledger, in the leader election on {@code quiesce-operator}.
   */
  private static QuiesceTestOperator elected(
      KubernetesClient client, String identity, SimpleMeterRegistry registry) {
    LeaderElectionConfiguration election =
        new LeaderElectionConfiguration(
            OperatorSettings.LEASE_NAME,
            OPERATOR_NAMESPACE,
            Duration.ofSeconds(2),
            Duration.ofMillis(1500),
            Duration.ofMillis(200),
            identity,
            null,
            false);
    return QuiesceTestOperator.start(
        client,
        o -> o.withLeaderElectionConfiguration(election),
        SnapshotTestSupport.reconciler(client, settings(CAP, CAP, QuiesceChannel.AUTO), registry));
  }

  private static String leader(KubernetesClient client) {
    Lease lease =
        client.leases().inNamespace(OPERATOR_NAMESPACE).withName(OperatorSettings.LEASE_NAME).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static long slotLeasesHeld(KubernetesClient client) {
    return client
        .leases()
        .inNamespace(OPERATOR_NAMESPACE)
        .withLabel(SlotLeases.SLOT_LABEL)
        .list()
        .getItems()
        .size();
  }

  /** A client of the test API server whose every request waits while the switch is on. */
  private static KubernetesClient pausable(KubeApiServer server, PauseSwitch pause) {
    return new KubernetesClientBuilder()
        .withConfig(server.newClient().getConfiguration())
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("pause", pause))
        .build();
  }

  /** Holds every request of one client where it is, as a stopped process would, until resumed. */
  private static final class PauseSwitch implements Interceptor {
    private volatile CountDownLatch paused = new CountDownLatch(0);

    void pause() {
      paused = new CountDownLatch(1);
    }

    void resume() {
      paused.countDown();
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      try {
        paused.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
