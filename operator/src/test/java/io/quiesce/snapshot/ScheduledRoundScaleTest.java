package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.reconciler;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
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
import io.quiesce.schedule.QuiescedSnapshotScheduleReconciler;
import io.quiesce.schedule.ScheduleSettings;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * One schedule fire over many VMs through the whole operator: the schedule reconciler creates a
 * snapshot per VM, the snapshot reconciler admits them under the cluster and node caps, the fake
 * node helper "freezes" (recording concurrency) and the fake snapshotter cuts after a realistic
 * delay. Every VM gets exactly one snapshot and the caps hold. The suite runs 200 VMs; {@code mvn
 * -pl operator test -Dtest=ScheduledRoundScaleTest -Dquiesce.scale.vms=1000} runs the 1,000-VM
 * round; {@code hack/bench.sh} measures the same round with the operator in its own process and
 * counts its API requests.
 */
@KubeApiTest
class ScheduledRoundScaleTest {
  private static final int VMS = Integer.getInteger("quiesce.scale.vms", 200);
  private static final int NODES = 20;
  private static final int CLUSTER_CAP = 50;
  private static final int NODE_CAP = 4;
  private static final Duration CUT_DELAY = Duration.ofMillis(300);

  /**
   * The snapshots' quiesce timeout, which the FAKE helper's watchdog waits for the cuts. This test
   * is about admission and the caps, not the watchdog: with the default 5 s a loaded 2-core machine
   * let the fake snapshotter's 300 ms cuts take longer (23 of 200 snapshots QuiesceTimeout in one
   * of three runs on 2026-12-06).
   */
  private static final Duration QUIESCE_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void oneFireOverManyVmsSnapshotsEachOnceWithinTheCaps(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("round");
    List<String> nodes = IntStream.range(0, NODES).mapToObj(i -> "node-" + i).toList();
    for (int i = 0; i < VMS; i++) {
      Fixtures.runningVm(ns, String.format("vm-%04d", i))
          .onNode(nodes.get(i % NODES))
          .withPvcDisk("root", String.format("vm-%04d-root", i), "1Gi")
          .create(client);
    }
    // the schedule's clock stands one second after the next New Year's midnight, so the yearly
    // slot is due at once (inside the starting deadline); the snapshots' own clock is real time
    Instant slot =
        LocalDate.now(ZoneOffset.UTC)
            .plusYears(1)
            .withDayOfYear(1)
            .atStartOfDay()
            .toInstant(ZoneOffset.UTC);
    Clock scheduleClock =
        Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), slot.plusSeconds(1)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KubernetesClient operatorClient = server.newClient();
    QuiescedSnapshotReconciler snapshots =
        reconciler(operatorClient, settings(CLUSTER_CAP, NODE_CAP, QuiesceChannel.AUTO), registry);
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(server.newClient(), CUT_DELAY, Duration.ofMillis(200));
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                Behaviour.FREEZE_OK,
                OPERATOR_NAMESPACE,
                CLUSTER_CAP + 10,
                nodes,
                QUIESCE_TIMEOUT);
        QuiesceTestOperator op =
            QuiesceTestOperator.start(
                operatorClient,
                snapshots,
                new QuiescedSnapshotScheduleReconciler(
                    operatorClient, scheduleClock, registry, ScheduleSettings.defaults()))) {
      long start = System.nanoTime();
      client.resource(schedule(ns)).create();

      List<QuiescedSnapshot> done =
          await()
              .atMost(Duration.ofSeconds(120L + VMS))
              .pollInterval(Duration.ofSeconds(2))
              .until(
                  () -> client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems(),
                  all ->
                      all.size() >= VMS
                          && all.stream()
                              .allMatch(
                                  s ->
                                      s.getStatus() != null
                                          && (s.getStatus().getPhase() == SnapshotPhase.Succeeded
                                              || s.getStatus().getPhase()
                                                  == SnapshotPhase.Failed)));
      long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();

      // admission looks at the snapshots ahead of one until the caps are full, not at the whole
      // cache on every reconcile (which looked at all VMS snapshots per decision)
      FreezeSlots.Cost cost = snapshots.slots().cost();
      System.out.printf(
          "[figure] admission: %d decisions, %d snapshots looked at (%.1f per decision, at most %d)%n",
          cost.decisions(),
          cost.visited(),
          (double) cost.visited() / cost.decisions(),
          cost.mostInOneDecision());
      assertThat(cost.decisions()).isGreaterThanOrEqualTo(VMS);
      assertThat(cost.mostInOneDecision())
          .as("snapshots looked at in one admission decision")
          .isLessThanOrEqualTo(2L * CLUSTER_CAP + NODES * NODE_CAP);
      assertThat((double) cost.visited() / cost.decisions())
          .as("snapshots looked at per admission decision")
          .isLessThanOrEqualTo(CLUSTER_CAP);

      java.util.Map<String, Long> outcomes =
          done.stream()
              .collect(
                  java.util.stream.Collectors.groupingBy(
                      s ->
                          s.getStatus().getPhase()
                              + "/"
                              + s.getStatus().getConsistency()
                              + "/"
                              + io.quiesce.status.Conditions.find(
                                      s.getStatus().getConditions(), "Failed")
                                  .map(c -> c.getReason() + ": " + c.getMessage())
                                  .orElse("-"),
                      java.util.stream.Collectors.counting()));
      assertThat(outcomes)
          .as("outcomes")
          .containsExactly(java.util.Map.entry("Succeeded/FilesystemConsistent/-", (long) VMS));
      assertThat(done)
          .hasSize(VMS)
          .allSatisfy(
              s -> {
                assertThat(s.getStatus().getPhase())
                    .as(s.getMetadata().getName())
                    .isEqualTo(SnapshotPhase.Succeeded);
                assertThat(s.getStatus().getConsistency())
                    .isEqualTo(Consistency.FilesystemConsistent);
                assertThat(s.getMetadata().getLabels()).containsEntry(Provenance.SCHEDULE, "fleet");
              });
      assertThat(done.stream().map(s -> s.getSpec().getSource()).distinct()).hasSize(VMS);
      assertThat(helper.freezes()).isEqualTo(VMS);
      assertThat(helper.timesAVmWasFrozenTwice()).isZero();
      assertThat(helper.maxFrozenOnAnyNode()).isBetween(1, NODE_CAP);
      assertThat(helper.maxFrozenInCluster()).isBetween(1, CLUSTER_CAP);
      System.gc(); // what stays, not garbage
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      double ideal = Math.ceil((double) VMS / CLUSTER_CAP) * CUT_DELAY.toMillis();
      System.out.printf(
          "[figure] scheduled round over %d VMs on %d nodes (caps %d cluster / %d node, cut %d ms): "
              + "%d ms, ideal %.0f ms (x%.1f); peak frozen %d in the cluster, %d on a node; heap after %d MiB "
              + "(test JVM incl. the in-JVM API server)%n",
          VMS,
          NODES,
          CLUSTER_CAP,
          NODE_CAP,
          CUT_DELAY.toMillis(),
          millis,
          ideal,
          millis / ideal,
          helper.maxFrozenInCluster(),
          helper.maxFrozenOnAnyNode(),
          heap >> 20);
    }
  }

  private static QuiescedSnapshotSchedule schedule(String ns) {
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName("fleet");
    schedule.getMetadata().setNamespace(ns);
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule("@yearly");
    spec.setVmSelector(new LabelSelector());
    spec.setStartingDeadlineSeconds(3600L);
    SnapshotTemplate template = new SnapshotTemplate();
    SnapshotOptions options = new SnapshotOptions();
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(QuiesceMode.Required);
    quiesce.setTimeout(QUIESCE_TIMEOUT.toSeconds() + "s");
    options.setQuiesce(quiesce);
    options.setFailureDeadline("30m");
    template.setSpec(options);
    spec.setTemplate(template);
    schedule.setSpec(spec);
    return schedule;
  }
}
