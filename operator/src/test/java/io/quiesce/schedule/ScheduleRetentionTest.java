package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotRetention;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retention through the API: per policy, never the newest succeeded, never another schedule's
 * snapshots.
 */
@KubeApiTest
class ScheduleRetentionTest {

  @Test
  void keepLastAndFailedHistoryLimitDeleteOnlyThisSchedulesOlderSnapshots(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "keep");
    bed.createVm("vm", Map.of());
    SnapshotRetention retention = new SnapshotRetention();
    retention.setKeepLast(2);
    retention.setFailedHistoryLimit(1);
    bed.createSchedule(
        "keep", "0 * * * *", selector(Map.of()), spec -> spec.setRetention(retention));
    String foreign = createForeignSnapshot(bed, "other-schedule-old", "other");
    String manual = createForeignSnapshot(bed, "manual-old", null);
    bed.setPhase(foreign, SnapshotPhase.Succeeded);
    bed.setPhase(manual, SnapshotPhase.Succeeded);

    List<SnapshotPhase> outcomes =
        List.of(
            SnapshotPhase.Succeeded,
            SnapshotPhase.Failed,
            SnapshotPhase.Succeeded,
            SnapshotPhase.Failed,
            SnapshotPhase.Succeeded);
    List<String> names = new ArrayList<>();
    Instant slot = bed.nextHour();
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      for (SnapshotPhase outcome : outcomes) {
        bed.moveClockTo(slot.plusSeconds(1), "keep");
        String name = ChildNames.scheduledSnapshot("keep", "vm", slot);
        names.add(name);
        bed.setPhase(name, outcome);
        slot = slot.plus(Duration.ofHours(1));
      }
      // S1 goes by keepLast=2 (S3 and S5 stay), F2 by failedHistoryLimit=1 (F4 stays)
      await()
          .untilAsserted(
              () ->
                  assertThat(bed.snapshotsOf("keep"))
                      .extracting(s -> s.getMetadata().getName())
                      .containsExactlyInAnyOrder(names.get(2), names.get(3), names.get(4)));
      // one Event, aggregated: its count says how many times retention deleted
      await()
          .until(
              () ->
                  bed.events("keep", "RetentionDeleted").stream().mapToInt(e -> e.getCount()).sum()
                      == 2);
      assertThat(bed.events("keep", "RetentionDeleted")).hasSize(1);
    }
    assertThat(bed.allSnapshots())
        .extracting(s -> s.getMetadata().getName())
        .contains(foreign, manual);
  }

  @Test
  void maxAgeNeverDeletesTheNewestSucceededSnapshot(KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "age");
    bed.createVm("vm", Map.of());
    SnapshotRetention retention = new SnapshotRetention();
    retention.setMaxAge("30m");
    bed.createSchedule(
        "aged", "0 * * * *", selector(Map.of()), spec -> spec.setRetention(retention));
    Instant slot = bed.nextHour();
    List<String> names = new ArrayList<>();
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      for (int i = 0; i < 3; i++) {
        bed.moveClockTo(slot.plusSeconds(1), "aged");
        names.add(ChildNames.scheduledSnapshot("aged", "vm", slot));
        bed.setPhase(names.get(i), SnapshotPhase.Succeeded);
        slot = slot.plus(Duration.ofHours(1));
      }
      // the API stamps creation with real time, the test clock is hours ahead: all are older than
      // 30m
      await()
          .untilAsserted(
              () ->
                  assertThat(bed.snapshotsOf("aged"))
                      .extracting(s -> s.getMetadata().getName())
                      .containsExactly(names.get(2)));
      assertThat(bed.schedule("aged").getStatus().getLastSuccessfulTime()).isNotNull();
    }
  }

  /**
   * A snapshot a restore in progress reads (it holds the restore's finalizer) outlives keepLast
   * until the restore releases it; then the next round deletes it.
   */
  @Test
  void retentionKeepsASnapshotUnderRestoreUntilItIsReleased(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "restoring");
    bed.createVm("vm", Map.of());
    SnapshotRetention retention = new SnapshotRetention();
    retention.setKeepLast(1);
    bed.createSchedule(
        "keep1", "0 * * * *", selector(Map.of()), spec -> spec.setRetention(retention));
    Instant slot = bed.nextHour();
    List<String> names = new ArrayList<>();
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      for (int i = 0; i < 3; i++) {
        bed.moveClockTo(slot.plusSeconds(1), "keep1");
        names.add(ChildNames.scheduledSnapshot("keep1", "vm", slot));
        bed.setPhase(names.get(i), SnapshotPhase.Succeeded);
        if (i == 0) {
          setRestoreFinalizer(client, bed.namespace, names.get(0), true);
        }
        slot = slot.plus(Duration.ofHours(1));
      }
      // the second one goes by keepLast=1; the first, under restore, stays and is not even marked
      await()
          .untilAsserted(
              () ->
                  assertThat(bed.snapshotsOf("keep1"))
                      .extracting(s -> s.getMetadata().getName())
                      .containsExactlyInAnyOrder(names.get(0), names.get(2)));
      assertThat(
              client
                  .resources(QuiescedSnapshot.class)
                  .inNamespace(bed.namespace)
                  .withName(names.get(0))
                  .get()
                  .isMarkedForDeletion())
          .isFalse();

      setRestoreFinalizer(client, bed.namespace, names.get(0), false);
      bed.moveClockTo(slot.plusSeconds(1), "keep1");
      String fourth = ChildNames.scheduledSnapshot("keep1", "vm", slot);
      bed.setPhase(fourth, SnapshotPhase.Succeeded);
      await()
          .untilAsserted(
              () ->
                  assertThat(bed.snapshotsOf("keep1"))
                      .extracting(s -> s.getMetadata().getName())
                      .containsExactly(fourth));
    }
  }

  /**
   * Plays a restore's hold on its source snapshot (what QuiescedSnapshotRestoreReconciler puts on
   * it).
   */
  private static void setRestoreFinalizer(
      KubernetesClient client, String ns, String name, boolean held) {
    client
        .resources(QuiescedSnapshot.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            s -> {
              List<String> finalizers = new ArrayList<>(s.getMetadata().getFinalizers());
              finalizers.remove(QuiescedSnapshotRestore.SOURCE_FINALIZER);
              if (held) {
                finalizers.add(QuiescedSnapshotRestore.SOURCE_FINALIZER);
              }
              s.getMetadata().setFinalizers(finalizers);
              return s;
            });
  }

  /** A succeeded-to-be snapshot that this schedule did not create. */
  private static String createForeignSnapshot(
      ScheduleTestBed bed, String name, String otherSchedule) {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.getMetadata().setName(name);
    snapshot.getMetadata().setNamespace(bed.namespace);
    if (otherSchedule != null) {
      snapshot
          .getMetadata()
          .setLabels(Map.of(Provenance.SCHEDULE, otherSchedule, Provenance.VM, "vm"));
      snapshot.getMetadata().setAnnotations(Map.of(Provenance.SCHEDULE, otherSchedule));
    }
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("vm");
    snapshot.setSpec(spec);
    return bed.client.resource(snapshot).create().getMetadata().getName();
  }
}
