package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.count;
import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.ActiveSnapshot;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotTemplate;
import io.quiesce.api.v1alpha1.TemplateMetadata;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A fire: which VMs, which snapshots with which names, labels and spec, and the status it leaves.
 */
@KubeApiTest
class ScheduleFiringTest {

  @Test
  void aFireCreatesOneSnapshotPerSelectedVmAndFollowsVmsBetweenFires(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "fire");
    bed.createVm("db-1", Map.of("app", "db"));
    bed.createVm("db-2", Map.of("app", "db", "env", "prod"));
    bed.createVm("db-test", Map.of("app", "db", "env", "test"));
    bed.createVm("web", Map.of("app", "web"));
    var selector = selector(Map.of("app", "db"));
    selector.setMatchExpressions(
        List.of(new LabelSelectorRequirement("env", "NotIn", List.of("test"))));
    bed.createSchedule("nightly", "0 * * * *", selector, spec -> spec.setTemplate(template()));
    Instant first = bed.nextHour();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (QuiesceTestOperator op = bed.startOperator(registry)) {
      await().until(() -> bed.schedule("nightly").getStatus() != null);
      assertThat(bed.snapshotsOf("nightly")).as("nothing before the first slot").isEmpty();

      bed.moveClockTo(first.plusSeconds(5), "nightly");
      List<QuiescedSnapshot> snapshots = bed.snapshotsOf("nightly");
      assertThat(snapshots)
          .extracting(s -> s.getMetadata().getName())
          .containsExactlyInAnyOrder(
              ChildNames.scheduledSnapshot("nightly", "db-1", first),
              ChildNames.scheduledSnapshot("nightly", "db-2", first));
      QuiescedSnapshot db1 =
          snapshots.stream()
              .filter(s -> s.getSpec().getSource().equals("db-1"))
              .findFirst()
              .orElseThrow();
      assertThat(db1.getMetadata().getLabels())
          .containsEntry(Provenance.SCHEDULE, "nightly")
          .containsEntry(Provenance.VM, "db-1")
          .containsEntry("team", "storage");
      assertThat(db1.getMetadata().getAnnotations())
          .containsEntry("note", "from the nightly schedule");
      assertThat(db1.getMetadata().getOwnerReferences())
          .as("deleting a schedule keeps its backups")
          .isEmpty();
      assertThat(db1.getSpec().getQuiesce().getMode()).isEqualTo(QuiesceMode.Required);
      assertThat(db1.getSpec().getFailureDeadline()).isEqualTo("10m");

      QuiescedSnapshotScheduleStatus status = bed.schedule("nightly").getStatus();
      assertThat(status.getLastScheduleTime()).isEqualTo(first.toString());
      assertThat(status.getNextScheduleTime())
          .isEqualTo(first.plus(Duration.ofHours(1)).toString());
      assertThat(status.getLastFire().getSelected()).isEqualTo(2);
      assertThat(status.getLastFire().getCreated()).isEqualTo(2);
      assertThat(status.getActive())
          .extracting(ActiveSnapshot::getVm)
          .containsExactlyInAnyOrder("db-1", "db-2");
      assertThat(Conditions.isTrue(status.getConditions(), "Ready")).isTrue();
      assertThat(status.getObservedGeneration())
          .isEqualTo(bed.schedule("nightly").getMetadata().getGeneration());
      assertThat(count(registry, ScheduleMetrics.FIRES, bed.namespace, "nightly")).isEqualTo(1);
      assertThat(count(registry, ScheduleMetrics.SNAPSHOTS_CREATED, bed.namespace, "nightly"))
          .isEqualTo(2);
      assertThat(bed.events("nightly", "Fired")).hasSize(1);

      // between fires: both finish, one VM goes away, one comes
      snapshots.forEach(s -> bed.setPhase(s.getMetadata().getName(), SnapshotPhase.Succeeded));
      await()
          .until(
              () ->
                  bed.schedule("nightly").getStatus().getActive() == null
                      && bed.schedule("nightly").getStatus().getLastSuccessfulTime() != null);
      bed.deleteVm("db-2");
      bed.createVm("db-3", Map.of("app", "db"));

      Instant second = first.plus(Duration.ofHours(1));
      bed.moveClockTo(second.plusSeconds(5), "nightly");
      assertThat(bed.snapshotsOf("nightly"))
          .extracting(s -> s.getMetadata().getName())
          .hasSize(4)
          .contains(
              ChildNames.scheduledSnapshot("nightly", "db-1", second),
              ChildNames.scheduledSnapshot("nightly", "db-3", second))
          .doesNotContain(ChildNames.scheduledSnapshot("nightly", "db-2", second));
      assertThat(count(registry, ScheduleMetrics.FIRES, bed.namespace, "nightly")).isEqualTo(2);
    }
  }

  @Test
  void matchExpressionsInExistsAndDoesNotExistSelect(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "expr");
    bed.createVm("a", Map.of("tier", "gold", "backup", "yes"));
    bed.createVm("b", Map.of("tier", "silver", "backup", "yes"));
    bed.createVm("c", Map.of("tier", "bronze", "backup", "yes"));
    bed.createVm("d", Map.of("tier", "gold", "backup", "yes", "skip", "true"));
    bed.createVm("e", Map.of("tier", "gold"));
    var selector = selector(null);
    selector.setMatchExpressions(
        List.of(
            new LabelSelectorRequirement("tier", "In", List.of("gold", "silver")),
            new LabelSelectorRequirement("backup", "Exists", null),
            new LabelSelectorRequirement("skip", "DoesNotExist", null)));
    bed.createSchedule("sel", "0 * * * *", selector, spec -> {});
    Instant slot = bed.nextHour();
    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(slot.plusSeconds(1), "sel");
      assertThat(bed.snapshotsOf("sel"))
          .extracting(s -> s.getSpec().getSource())
          .containsExactlyInAnyOrder("a", "b");
    }
  }

  private static SnapshotTemplate template() {
    TemplateMetadata metadata = new TemplateMetadata();
    metadata.setLabels(Map.of("team", "storage"));
    metadata.setAnnotations(Map.of("note", "from the nightly schedule"));
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(QuiesceMode.Required);
    SnapshotOptions options = new SnapshotOptions();
    options.setQuiesce(quiesce);
    options.setFailureDeadline("10m");
    SnapshotTemplate template = new SnapshotTemplate();
    template.setMetadata(metadata);
    template.setSpec(options);
    return template;
  }
}
