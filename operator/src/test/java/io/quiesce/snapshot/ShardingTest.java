package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotTemplate;
import io.quiesce.naming.Provenance;
import io.quiesce.operator.OperatorRuntime;
import io.quiesce.operator.OperatorSettings;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two operator shards over one API server (docs/sharding.md), each the real {@link OperatorRuntime}
 * with leader election, owning one namespace with its own caps: one schedule fire per namespace
 * snapshots every VM exactly once, each shard's cluster cap holds for its own VMs, and each shard
 * elects its own leader and takes its own freeze slot Leases. The FAKE node helper serves both.
 */
@KubeApiTest
class ShardingTest {
  private static final int VMS_PER_SHARD = 30;
  private static final List<String> NODES =
      IntStream.range(0, 6).mapToObj(i -> "node-" + i).toList();

  @Test
  void twoShardsSnapshotEveryVmOnceEachWithinItsOwnCaps(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String a = server.createNamespace("shard-a");
    String b = server.createNamespace("shard-b");
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(SnapshotTestSupport.OPERATOR_NAMESPACE)
                .endMetadata()
                .build())
        .create();
    allowLeases(server);
    for (String ns : List.of(a, b)) {
      for (int i = 0; i < VMS_PER_SHARD; i++) {
        Fixtures.runningVm(ns, String.format("vm-%02d", i))
            .onNode(NODES.get(i % NODES.size()))
            .withPvcDisk("root", String.format("vm-%02d-root", i), "1Gi")
            .create(client);
      }
    }
    // the schedules' clock stands just past next New Year's midnight: the yearly slot is due at
    // once
    Instant slot =
        LocalDate.now(ZoneOffset.UTC)
            .plusYears(1)
            .withDayOfYear(1)
            .atStartOfDay()
            .toInstant(ZoneOffset.UTC);
    Clock scheduleClock =
        Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), slot.plusSeconds(1)));
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(300), Duration.ofMillis(100));
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                FakeNodeHelper.Behaviour.FREEZE_OK,
                SnapshotTestSupport.OPERATOR_NAMESPACE,
                20,
                NODES);
        OperatorRuntime shardA =
            OperatorRuntime.startInTest(shard("a", a, 3), server.newClient(), scheduleClock);
        OperatorRuntime shardB =
            OperatorRuntime.startInTest(shard("b", b, 5), server.newClient(), scheduleClock)) {
      client.resource(schedule(a)).create();
      client.resource(schedule(b)).create();

      for (String ns : List.of(a, b)) {
        List<QuiescedSnapshot> done =
            await()
                .atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                    () ->
                        client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems(),
                    all ->
                        all.size() >= VMS_PER_SHARD
                            && all.stream()
                                .allMatch(
                                    s ->
                                        s.getStatus() != null
                                            && (s.getStatus().getPhase() == SnapshotPhase.Succeeded
                                                || s.getStatus().getPhase()
                                                    == SnapshotPhase.Failed)));
        assertThat(done)
            .as(ns)
            .hasSize(VMS_PER_SHARD)
            .allSatisfy(
                s -> assertThat(s.getStatus().getPhase()).isEqualTo(SnapshotPhase.Succeeded));
        Map<String, Long> perVm =
            done.stream()
                .collect(
                    Collectors.groupingBy(s -> s.getSpec().getSource(), Collectors.counting()));
        assertThat(perVm)
            .as("snapshots per VM in %s", ns)
            .hasSize(VMS_PER_SHARD)
            .allSatisfy((vm, n) -> assertThat(n).isEqualTo(1L));
      }
      assertThat(helper.freezes()).isEqualTo(2 * VMS_PER_SHARD);
      assertThat(helper.timesAVmWasFrozenTwice()).isZero();
      assertThat(helper.maxFrozenInNamespace(a)).as("shard a's peak").isBetween(1, 3);
      assertThat(helper.maxFrozenInNamespace(b)).as("shard b's peak").isBetween(1, 5);
      // each shard led in its own Lease and took only its own slots
      List<Lease> leases =
          client.leases().inNamespace(SnapshotTestSupport.OPERATOR_NAMESPACE).list().getItems();
      Set<String> names =
          leases.stream().map(l -> l.getMetadata().getName()).collect(Collectors.toSet());
      assertThat(names).contains("quiesce-operator-a", "quiesce-operator-b");
      assertThat(names.stream().filter(n -> n.startsWith(Provenance.FREEZE_SLOT_LEASE_PREFIX)))
          .allMatch(n -> n.matches("quiesce-slot-a-[0-2]") || n.matches("quiesce-slot-b-[0-4]"))
          .anyMatch(n -> n.startsWith("quiesce-slot-a-"))
          .anyMatch(n -> n.startsWith("quiesce-slot-b-"));
      System.out.printf(
          "[figure] 2 shards x %d VMs: peaks %d (cap 3) and %d (cap 5), %d in the cluster%n",
          VMS_PER_SHARD,
          helper.maxFrozenInNamespace(a),
          helper.maxFrozenInNamespace(b),
          helper.maxFrozenInCluster());
    }
  }

  private static OperatorSettings shard(String name, String namespace, int cap) {
    return new OperatorSettings(
        Set.of(namespace),
        true,
        SnapshotTestSupport.OPERATOR_NAMESPACE,
        "operator-" + name,
        cap,
        2,
        QuiesceChannel.AUTO,
        new InetSocketAddress("127.0.0.1", 0),
        io.quiesce.snapshot.SnapshotSettings.DEFAULT_FREEZE_TIMEOUT_MAX,
        name,
        null);
  }

  private static QuiescedSnapshotSchedule schedule(String ns) {
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName("fleet");
    schedule.getMetadata().setNamespace(ns);
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule("@yearly");
    spec.setVmSelector(new LabelSelector());
    spec.setStartingDeadlineSeconds(3600L);
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(QuiesceMode.Required);
    quiesce.setTimeout("30s"); // generous: on a loaded machine the fakes and the in-JVM server lag
    SnapshotOptions options = new SnapshotOptions();
    options.setQuiesce(quiesce);
    options.setFailureDeadline("30m");
    SnapshotTemplate template = new SnapshotTemplate();
    template.setSpec(options);
    spec.setTemplate(template);
    schedule.setSpec(spec);
    return schedule;
  }

  /**
   * JOSDK checks it may write Leases before it elects; the test server answers that it may, as RBAC
   * would.
   */
  private static void allowLeases(KubeApiServer server) {
    SelfSubjectRulesReview review = new SelfSubjectRulesReview();
    review.setStatus(
        new SubjectRulesReviewStatusBuilder()
            .withIncomplete(false)
            .withResourceRules(
                new ResourceRuleBuilder()
                    .withApiGroups("coordination.k8s.io")
                    .withResources("leases")
                    .withVerbs(List.of("create", "update", "get"))
                    .build())
            .build());
    server
        .mockServer()
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, review)
        .always();
  }
}
