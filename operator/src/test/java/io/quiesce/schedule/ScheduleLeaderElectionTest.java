package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.count;
import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.ChildNames;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas with JOSDK leader election (a coordination.k8s.io/v1 Lease, which the test
 * API server stores like any object): only the leader fires; when it stops, the other takes over
 * and fires the slot it missed once, inside the starting deadline.
 */
@KubeApiTest
class ScheduleLeaderElectionTest {
  private static final String LEASE = "quiesce-operator-leader";

  @Test
  void onlyTheLeaderFiresAndTheNextLeaderCatchesUpOnce(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "leader");
    allowLeases(server, bed.namespace);
    bed.createVm("vm", Map.of());
    bed.createSchedule(
        "hourly", "0 * * * *", selector(Map.of()), spec -> spec.setStartingDeadlineSeconds(600L));
    Instant s1 = bed.nextHour();
    Instant s2 = s1.plus(Duration.ofHours(1));
    SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();

    Map<String, SimpleMeterRegistry> registries = Map.of("a", registryA, "b", registryB);
    Map<String, QuiesceTestOperator> replicas = new HashMap<>();
    try {
      for (String identity : List.of("a", "b")) {
        replicas.put(
            identity,
            bed.startOperator(
                registries.get(identity),
                o -> o.withLeaderElectionConfiguration(election(bed, identity))));
      }
      await().until(() -> holder(client, bed.namespace) != null);
      String leader = holder(client, bed.namespace);
      String follower = leader.equals("a") ? "b" : "a";
      bed.moveClockTo(s1.plusSeconds(1), "hourly");
      assertThat(bed.snapshotsOf("hourly")).hasSize(1);
      assertThat(count(registries.get(leader), ScheduleMetrics.FIRES, bed.namespace, "hourly"))
          .isEqualTo(1);
      assertThat(count(registries.get(follower), ScheduleMetrics.FIRES, bed.namespace, "hourly"))
          .isZero();

      replicas.remove(leader).close();
      bed.setPhase(ChildNames.scheduledSnapshot("hourly", "vm", s1), SnapshotPhase.Succeeded);
      // the leader is gone across s2; the follower takes the lease once it expires and catches s2
      // up
      bed.clock.set(s2.plusSeconds(120));
      await().atMost(Duration.ofSeconds(20)).until(() -> bed.snapshotsOf("hourly").size() == 2);
      await()
          .until(
              () -> s2.toString().equals(bed.schedule("hourly").getStatus().getLastScheduleTime()));
      assertThat(holder(client, bed.namespace)).isEqualTo(follower);
      assertThat(count(registries.get(follower), ScheduleMetrics.FIRES, bed.namespace, "hourly"))
          .isEqualTo(1);
      assertThat(bed.snapshotsOf("hourly"))
          .extracting(s -> s.getMetadata().getName())
          .contains(ChildNames.scheduledSnapshot("hourly", "vm", s2));
    } finally {
      replicas.values().forEach(QuiesceTestOperator::close);
    }
  }

  private static io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration election(
      ScheduleTestBed bed, String identity) {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE)
        .withLeaseNamespace(bed.namespace)
        .withIdentity(identity)
        .withLeaseDuration(Duration.ofSeconds(2))
        .withRenewDeadline(Duration.ofMillis(1500))
        .withRetryPeriod(Duration.ofMillis(200))
        .buildForTest(false); // JOSDK's default exits the JVM on losing the lease: here the test's
  }

  private static String holder(KubernetesClient client, String namespace) {
    Lease lease = client.leases().inNamespace(namespace).withName(LEASE).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /**
   * JOSDK checks its Lease rights with a SelfSubjectRulesReview before electing; the test API
   * server has no RBAC to answer it, so the answer a cluster gives the operator's Role is recorded
   * here.
   */
  private static void allowLeases(KubeApiServer server, String namespace) {
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
