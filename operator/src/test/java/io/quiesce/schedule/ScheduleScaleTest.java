package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.count;
import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.ConcurrencyPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.naming.ChildNames;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * One schedule over 1,000 VMs: every VM gets exactly one snapshot per fire. Only creation is
 * measured (no snapshot reconciler runs); the figures include the in-JVM API server's work.
 */
@KubeApiTest
class ScheduleScaleTest {
  private static final int VMS = 1000;

  @Test
  void everyVmGetsExactlyOneSnapshotPerFire(KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "scale");
    List<String> vms = IntStream.range(0, VMS).mapToObj(i -> String.format("vm-%04d", i)).toList();
    vms.forEach(vm -> bed.createVm(vm, Map.of("fleet", "prod")));
    bed.createVm("not-in-fleet", Map.of("fleet", "dev"));
    // Allow, so the second fire creates again although no snapshot reconciler finishes the first
    // ones
    bed.createSchedule(
        "fleet",
        "0 * * * *",
        selector(Map.of("fleet", "prod")),
        spec -> spec.setConcurrencyPolicy(ConcurrencyPolicy.Allow));
    Instant first = bed.nextHour();
    Instant second = first.plus(Duration.ofHours(1));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (QuiesceTestOperator op = bed.startOperator(registry)) {
      await().until(() -> bed.schedule("fleet").getStatus() != null);
      for (Instant slot : List.of(first, second)) {
        long start = System.nanoTime();
        bed.clock.set(slot.plusSeconds(1));
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                () ->
                    slot.toString()
                        .equals(bed.schedule("fleet").getStatus().getLastScheduleTime()));
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        System.out.printf(
            "[figure] schedule fire over %d VMs: %d ms from the clock move to the status write%n",
            VMS, millis);
        assertThat(bed.schedule("fleet").getStatus().getLastFire().getCreated()).isEqualTo(VMS);
      }
      System.gc(); // measure what stays, not garbage
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      System.out.printf(
          "[figure] heap after two fires over %d VMs: %d MiB (test JVM: operator, in-JVM API "
              + "server holding %d VMs and %d snapshots, test)%n",
          VMS, heap >> 20, VMS + 1, 2 * VMS);
    }
    List<QuiescedSnapshot> snapshots = bed.snapshotsOf("fleet");
    assertThat(snapshots).hasSize(2 * VMS);
    Set<String> expected =
        vms.stream()
            .flatMap(
                vm ->
                    List.of(
                        ChildNames.scheduledSnapshot("fleet", vm, first),
                        ChildNames.scheduledSnapshot("fleet", vm, second))
                        .stream())
            .collect(Collectors.toSet());
    assertThat(snapshots.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet()))
        .isEqualTo(expected);
    assertThat(count(registry, ScheduleMetrics.SNAPSHOTS_CREATED, bed.namespace, "fleet"))
        .isEqualTo(2.0 * VMS);
  }
}
