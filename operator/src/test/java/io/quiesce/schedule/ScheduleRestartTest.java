package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.count;
import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.ChildNames;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The clock lives in status: an operator started later continues where the last one stopped. */
@KubeApiTest
class ScheduleRestartTest {

  @Test
  void aRestartCatchesUpOneSlotInsideTheDeadlineAndNoneOutside(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "restart");
    bed.createVm("vm", Map.of());
    bed.createSchedule(
        "hourly", "0 * * * *", selector(Map.of()), spec -> spec.setStartingDeadlineSeconds(600L));
    Instant s1 = bed.nextHour();
    Instant s2 = s1.plus(Duration.ofHours(1));
    Instant s3 = s2.plus(Duration.ofHours(1));
    Instant s4 = s3.plus(Duration.ofHours(1));
    Instant s5 = s4.plus(Duration.ofHours(1));

    try (QuiesceTestOperator first = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(s1.plusSeconds(1), "hourly");
    }
    assertThat(bed.snapshotsOf("hourly")).hasSize(1);
    bed.setPhase(
        ChildNames.scheduledSnapshot("hourly", "vm", s1),
        SnapshotPhase.Succeeded); // else Forbid skips

    // down across s2 and s3; back 5 minutes after s3: s3 is caught up, s2 is missed
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    bed.clock.set(s3.plusSeconds(300));
    try (QuiesceTestOperator op = bed.startOperator(second)) {
      await().until(() -> bed.snapshotsOf("hourly").size() == 2);
      await()
          .until(
              () -> s3.toString().equals(bed.schedule("hourly").getStatus().getLastScheduleTime()));
    }
    assertThat(bed.snapshotsOf("hourly"))
        .extracting(s -> s.getMetadata().getName())
        .contains(ChildNames.scheduledSnapshot("hourly", "vm", s3))
        .doesNotContain(ChildNames.scheduledSnapshot("hourly", "vm", s2));
    assertThat(count(second, ScheduleMetrics.FIRES, bed.namespace, "hourly")).isEqualTo(1);
    assertThat(count(second, ScheduleMetrics.MISSED_FIRES, bed.namespace, "hourly")).isEqualTo(1);

    // down across s4 and s5; back 15 minutes after s5, beyond the 10-minute deadline: nothing fires
    SimpleMeterRegistry third = new SimpleMeterRegistry();
    try (QuiesceTestOperator op = bed.startOperator(third)) {
      bed.moveClockTo(s5.plusSeconds(900), "hourly");
    }
    assertThat(bed.snapshotsOf("hourly")).hasSize(2);
    assertThat(count(third, ScheduleMetrics.FIRES, bed.namespace, "hourly")).isZero();
    assertThat(count(third, ScheduleMetrics.MISSED_FIRES, bed.namespace, "hourly")).isEqualTo(2);
    assertThat(bed.schedule("hourly").getStatus().getLastScheduleTime()).isEqualTo(s5.toString());
    assertThat(bed.events("hourly", "MissedSchedule"))
        .extracting(e -> e.getMessage())
        .anySatisfy(m -> assertThat(m).contains("startingDeadlineSeconds=600"));
  }

  @Test
  void theSameFireTwiceCreatesNothingTwice(KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "twice");
    bed.createVm("a", Map.of());
    bed.createVm("b", Map.of());
    bed.createSchedule("hourly", "0 * * * *", selector(Map.of()), spec -> {});
    Instant slot = bed.nextHour();
    String before = bed.schedule("hourly").getMetadata().getCreationTimestamp();
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(slot.plusSeconds(1), "hourly");
    }
    assertThat(bed.snapshotsOf("hourly")).hasSize(2);
    var uids = bed.snapshotsOf("hourly").stream().map(s -> s.getMetadata().getUid()).toList();

    // as if the operator died after creating the snapshots but before its status write landed
    client
        .resources(QuiescedSnapshotSchedule.class)
        .inNamespace(bed.namespace)
        .withName("hourly")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"lastScheduleTime\":\"" + before + "\"}}");
    SimpleMeterRegistry again = new SimpleMeterRegistry();
    try (QuiesceTestOperator op = bed.startOperator(again)) {
      await()
          .until(
              () ->
                  slot.toString().equals(bed.schedule("hourly").getStatus().getLastScheduleTime()));
    }
    assertThat(bed.snapshotsOf("hourly"))
        .extracting(s -> s.getMetadata().getUid())
        .containsExactlyInAnyOrderElementsOf(uids);
    assertThat(count(again, ScheduleMetrics.SNAPSHOTS_CREATED, bed.namespace, "hourly")).isZero();
    assertThat(bed.schedule("hourly").getStatus().getLastFire().getCreated())
        .as("both exist for this fire")
        .isEqualTo(2);
  }
}
