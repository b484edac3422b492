package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotRetention;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a user who may only create QuiescedSnapshots can do to a schedule: label snapshots as its
 * own (retention must neither count nor delete them, nor lose real backups to them), or take the
 * name of a future fire (the schedule must say so instead of counting it as created).
 */
@KubeApiTest
class ScheduleProvenanceTest {

  @Test
  void snapshotsLabelledAsTheSchedulesPushNoRealBackupOutAndAreNotDeleted(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "forged");
    bed.createVm("vm", Map.of());
    SnapshotRetention retention = new SnapshotRetention();
    retention.setKeepLast(2);
    bed.createSchedule(
        "keep", "0 * * * *", selector(Map.of()), spec -> spec.setRetention(retention));
    Instant first = bed.nextHour();
    Instant second = first.plusSeconds(3600);
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(first.plusSeconds(1), "keep");
      String real1 = ChildNames.scheduledSnapshot("keep", "vm", first);
      bed.setPhase(real1, SnapshotPhase.Succeeded);
      // newer than real1: on label evidence alone they would be the two kept, and real1 deleted
      String forged1 = forge(bed, "forged-1", "keep");
      String forged2 = forge(bed, "forged-2", "keep");
      bed.setPhase(forged1, SnapshotPhase.Succeeded);
      bed.setPhase(forged2, SnapshotPhase.Succeeded);

      bed.moveClockTo(
          second.plusSeconds(1), "keep"); // fires, then applies retention in the same reconcile
      String real2 = ChildNames.scheduledSnapshot("keep", "vm", second);

      assertThat(bed.allSnapshots())
          .extracting(s -> s.getMetadata().getName())
          .contains(real1, real2, forged1, forged2);
      assertThat(bed.events("keep", "RetentionDeleted")).isEmpty();
    }
  }

  @Test
  void aNameTakenByAForeignSnapshotIsAConditionAndAnEventNotASilentSuccess(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "squat");
    bed.createVm("vm", Map.of());
    bed.createSchedule("nightly", "0 * * * *", selector(Map.of()), spec -> {});
    Instant slot = bed.nextHour();
    String name = ChildNames.scheduledSnapshot("nightly", "vm", slot);
    // someone creates the next fire's snapshot first, even with the schedule's label and name
    // annotation
    QuiescedSnapshot squatter = forgeNamed(bed, name, "nightly");
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(slot.plusSeconds(1), "nightly");

      var status = bed.schedule("nightly").getStatus();
      assertThat(
              Conditions.find(
                  status.getConditions(), QuiescedSnapshotScheduleReconciler.NAME_CONFLICT))
          .hasValueSatisfying(
              c -> {
                assertThat(c.getStatus()).isEqualTo(Conditions.TRUE);
                assertThat(c.getReason())
                    .isEqualTo(QuiescedSnapshotScheduleReconciler.SNAPSHOT_NAME_TAKEN);
                assertThat(c.getMessage()).contains(name);
              });
      assertThat(status.getLastFire().getCreated()).isZero();
      assertThat(status.getLastFire().getFailed()).isEqualTo(1);
      assertThat(bed.events("nightly", QuiescedSnapshotScheduleReconciler.SNAPSHOT_NAME_TAKEN))
          .hasSize(1);
      assertThat(bed.allSnapshots())
          .singleElement()
          .satisfies(
              s -> assertThat(s.getMetadata().getUid()).isEqualTo(squatter.getMetadata().getUid()));
    }
  }

  private static String forge(ScheduleTestBed bed, String name, String schedule) {
    return forgeNamed(bed, name, schedule).getMetadata().getName();
  }

  /**
   * A snapshot with the schedule's label and name annotation, as anyone who may create one can
   * write.
   */
  private static QuiescedSnapshot forgeNamed(ScheduleTestBed bed, String name, String schedule) {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.getMetadata().setName(name);
    snapshot.getMetadata().setNamespace(bed.namespace);
    snapshot.getMetadata().setLabels(Map.of(Provenance.SCHEDULE, schedule, Provenance.VM, "vm"));
    snapshot.getMetadata().setAnnotations(Map.of(Provenance.SCHEDULE, schedule));
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("vm");
    snapshot.setSpec(spec);
    return bed.client.resource(snapshot).create();
  }
}
