package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.count;
import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.ConcurrencyPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.ChildNames;
import io.quiesce.status.Conditions;
import io.quiesce.status.Kstatus;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Invalid specs, concurrencyPolicy and suspend. */
@KubeApiTest
class ScheduleRulesTest {

  @Test
  void invalidCronOrZoneIsReportedAndOtherSchedulesKeepFiring(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "invalid");
    bed.createVm("vm", Map.of("app", "db"));
    bed.createSchedule("bad-cron", "61 * * * *", selector(Map.of()), spec -> {});
    bed.createSchedule(
        "bad-zone", "0 * * * *", selector(Map.of()), spec -> spec.setTimeZone("Mars/Olympus"));
    bed.createSchedule("good", "0 * * * *", selector(Map.of()), spec -> {});
    Instant slot = bed.nextHour();
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      await().until(() -> ready(bed, "bad-cron").isPresent() && ready(bed, "bad-zone").isPresent());
      Condition cron = ready(bed, "bad-cron").orElseThrow();
      assertThat(cron.getStatus()).isEqualTo(Conditions.FALSE);
      assertThat(cron.getReason()).isEqualTo("InvalidSchedule");
      assertThat(cron.getMessage()).contains("minute");
      Condition zone = ready(bed, "bad-zone").orElseThrow();
      assertThat(zone.getStatus()).isEqualTo(Conditions.FALSE);
      assertThat(zone.getReason()).isEqualTo("InvalidTimeZone");
      assertThat(zone.getMessage()).contains("Mars/Olympus");
      await()
          .until(
              () ->
                  bed.events("bad-cron", "InvalidSchedule").size() == 1
                      && bed.events("bad-zone", "InvalidTimeZone").size() == 1);
      assertThat(bed.events("bad-cron", "InvalidSchedule").get(0).getType()).isEqualTo("Warning");
      // kstatus: an invalid spec is Stalled (Flux fails at once), a valid schedule is Current
      assertThat(Kstatus.of(bed.schedule("bad-cron"))).isEqualTo(Kstatus.FAILED);
      assertThat(Kstatus.of(bed.schedule("good"))).isEqualTo(Kstatus.CURRENT);

      bed.moveClockTo(slot.plusSeconds(1), "good");
      assertThat(bed.snapshotsOf("good")).hasSize(1);
      assertThat(bed.snapshotsOf("bad-cron")).isEmpty();
      assertThat(bed.snapshotsOf("bad-zone")).isEmpty();
      assertThat(bed.schedule("bad-cron").getStatus().getNextScheduleTime()).isNull();

      // fixing the spec makes it Ready
      bed.editSpec("bad-cron", spec -> spec.setSchedule("0 * * * *"));
      await()
          .until(
              () ->
                  ready(bed, "bad-cron")
                      .map(c -> c.getStatus().equals(Conditions.TRUE))
                      .orElse(false));
      assertThat(Kstatus.of(bed.schedule("bad-cron"))).isEqualTo(Kstatus.CURRENT);
    }
  }

  @Test
  void forbidSkipsAVmWithASnapshotInProgressAndAllowDoesNot(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "forbid");
    bed.createVm("slow", Map.of("app", "db"));
    bed.createSchedule(
        "forbid", "0 * * * *", selector(Map.of()), spec -> {}); // Forbid is the default
    bed.createSchedule(
        "allow",
        "0 * * * *",
        selector(Map.of()),
        spec -> spec.setConcurrencyPolicy(ConcurrencyPolicy.Allow));
    Instant first = bed.nextHour();
    Instant second = first.plus(Duration.ofHours(1));
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(first.plusSeconds(1), "forbid");
      await().until(() -> bed.snapshotsOf("allow").size() == 1);
      bed.setPhase(ChildNames.scheduledSnapshot("forbid", "slow", first), SnapshotPhase.InProgress);
      // the allow schedule's snapshot stays unstarted (no phase): it counts as Pending

      bed.moveClockTo(second.plusSeconds(1), "forbid");
      await()
          .until(
              () ->
                  second
                      .toString()
                      .equals(bed.schedule("allow").getStatus().getLastScheduleTime()));
      assertThat(bed.snapshotsOf("forbid")).hasSize(1);
      QuiescedSnapshotSchedule forbid = bed.schedule("forbid");
      assertThat(forbid.getStatus().getLastFire().getSkipped()).isEqualTo(1);
      assertThat(forbid.getStatus().getLastFire().getCreated()).isZero();
      assertThat(bed.events("forbid", "SkippedInProgress"))
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .contains("slow")
                      .contains(ChildNames.scheduledSnapshot("forbid", "slow", first)));

      assertThat(bed.snapshotsOf("allow"))
          .extracting(s -> s.getMetadata().getName())
          .containsExactlyInAnyOrder(
              ChildNames.scheduledSnapshot("allow", "slow", first),
              ChildNames.scheduledSnapshot("allow", "slow", second));
      assertThat(bed.schedule("allow").getStatus().getLastFire().getSkipped()).isZero();
      assertThat(bed.schedule("allow").getStatus().getActive()).hasSize(2);
    }
  }

  @Test
  void suspendFiresNothingAndResumeCatchesUpOnlyInsideTheDeadline(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "suspend");
    bed.createVm("vm", Map.of());
    bed.createSchedule(
        "paused",
        "0 * * * *",
        selector(Map.of()),
        spec -> {
          spec.setSuspend(true);
          spec.setStartingDeadlineSeconds(600L);
        });
    Instant first = bed.nextHour();
    Instant second = first.plus(Duration.ofHours(1));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (QuiesceTestOperator op = bed.startOperator(registry)) {
      await()
          .until(
              () -> ready(bed, "paused").map(c -> c.getReason().equals("Suspended")).orElse(false));
      assertThat(bed.schedule("paused").getStatus().getNextScheduleTime())
          .as("no next fire while suspended")
          .isNull();
      bed.clock.set(second.plusSeconds(300));
      // several reconciles (one per 200 ms) see both slots due and fire none of them
      await()
          .during(Duration.ofMillis(800))
          .atMost(Duration.ofSeconds(3))
          .until(() -> bed.snapshotsOf("paused").isEmpty());

      bed.editSpec("paused", spec -> spec.setSuspend(false));
      await().until(() -> bed.snapshotsOf("paused").size() == 1);
      assertThat(bed.snapshotsOf("paused").get(0).getMetadata().getName())
          .isEqualTo(ChildNames.scheduledSnapshot("paused", "vm", second));
      await()
          .until(() -> count(registry, ScheduleMetrics.MISSED_FIRES, bed.namespace, "paused") == 1);
      // the metric is counted before the status is written: wait for the write
      await()
          .untilAsserted(
              () ->
                  assertThat(bed.schedule("paused").getStatus().getLastScheduleTime())
                      .isEqualTo(second.toString()));
    }
  }

  private static Optional<Condition> ready(ScheduleTestBed bed, String schedule) {
    QuiescedSnapshotSchedule s = bed.schedule(schedule);
    return s.getStatus() == null
        ? Optional.empty()
        : Conditions.find(s.getStatus().getConditions(), "Ready");
  }
}
