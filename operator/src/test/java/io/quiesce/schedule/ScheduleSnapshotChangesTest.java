package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Which changes of its snapshots reconcile a schedule, and how often: during a fire its snapshots
 * change thousands of times, and each reconcile walks all of them.
 */
@KubeApiTest
class ScheduleSnapshotChangesTest {
  private static final int VMS = 12;

  @Test
  void progressOfItsSnapshotsDoesNotReconcileTheScheduleAndTheirEndsAreSeenTogether(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "changes");
    IntStream.range(0, VMS)
        .forEach(i -> bed.createVm(String.format("vm-%02d", i), Map.of("app", "db")));
    bed.createSchedule("nightly", "0 * * * *", selector(Map.of("app", "db")), spec -> {});
    // past the next slot before the operator starts: its first reconcile fires
    bed.clock.set(bed.nextHour().plusSeconds(5));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KubernetesClient operatorClient = server.newClient();
    // the production settings: no short requeue that would reconcile the schedule anyway
    try (QuiesceTestOperator op =
        QuiesceTestOperator.start(
            operatorClient,
            o -> o.withMetrics(MicrometerMetricsV2.newBuilder(registry).build()),
            new QuiescedSnapshotScheduleReconciler(
                operatorClient, bed.clock, registry, ScheduleSettings.defaults()))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> active(bed) == VMS && bed.snapshotsOf("nightly").size() == VMS);
      List<String> names =
          bed.snapshotsOf("nightly").stream().map(s -> s.getMetadata().getName()).toList();
      double settled = settled(registry);

      // what the snapshot controller writes while a snapshot runs: nothing the schedule reads
      for (String name : names) {
        bed.setPhase(name, SnapshotPhase.InProgress);
        progress(bed, name, "freezing");
        progress(bed, name, "cutting");
      }
      await("no reconcile of the schedule for its snapshots' progress")
          .atMost(Duration.ofSeconds(10))
          .during(Duration.ofSeconds(3))
          .until(() -> reconciles(registry) == settled);

      for (String name : names) {
        bed.setPhase(name, SnapshotPhase.Succeeded);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                QuiescedSnapshotScheduleStatus status = bed.schedule("nightly").getStatus();
                return status.getActive() == null && status.getLastSuccessfulTime() != null;
              });
      assertThat(reconciles(registry) - settled)
          .as("reconciles for %d snapshots ending within a moment (1 s apart at least)", VMS)
          .isBetween(1.0, 4.0);
    }
  }

  private static int active(ScheduleTestBed bed) {
    QuiescedSnapshotScheduleStatus status = bed.schedule("nightly").getStatus();
    return status == null || status.getActive() == null ? 0 : status.getActive().size();
  }

  /** A progress-only status write, as the snapshot controller makes between phases. */
  private static void progress(ScheduleTestBed bed, String name, String message) {
    bed.client
        .resources(QuiescedSnapshot.class)
        .inNamespace(bed.namespace)
        .withName(name)
        .editStatus(
            s -> {
              QuiescedSnapshotStatus status =
                  s.getStatus() == null ? new QuiescedSnapshotStatus() : s.getStatus();
              status.setMessage(message);
              s.setStatus(status);
              return s;
            });
  }

  private static double reconciles(SimpleMeterRegistry registry) {
    return registry
        .find("reconciliations.started.total")
        .tag("controller.name", QuiescedSnapshotScheduleReconciler.NAME)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /** The count once it held over two polls further apart than the schedule's spacing. */
  private static double settled(SimpleMeterRegistry registry) {
    double[] last = {-1};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(1500))
        .until(
            () -> {
              double now = reconciles(registry);
              boolean same = now == last[0];
              last[0] = now;
              return same;
            });
    return last[0];
  }
}
