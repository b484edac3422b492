package io.quiesce.schedule;

import static io.quiesce.schedule.ScheduleTestBed.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.SnapshotGrouping;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotRetention;
import io.quiesce.api.v1alpha1.SnapshotTemplate;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.events.EventRecorder;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.HttpKubeVirtFreezeApi;
import io.quiesce.snapshot.QuiescedSnapshotReconciler;
import io.quiesce.snapshot.SnapshotMetrics;
import io.quiesce.snapshot.SnapshotSettings;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Schedules with {@code grouping: ConsistencyGroup}: one group snapshot of the VMs a fire selects,
 * named and labelled as the schedule's; Forbid, retention and deletion on the group as one unit; a
 * fire that selects too few or too many VMs creates nothing and says so.
 */
@KubeApiTest
class ScheduleGroupTest {

  private static SnapshotTemplate template(QuiesceMode mode) {
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(mode);
    quiesce.setTimeout("10s");
    SnapshotOptions options = new SnapshotOptions();
    options.setQuiesce(quiesce);
    options.setDeletionPolicy(DeletionPolicy.Delete);
    options.setFailureDeadline("2m");
    SnapshotTemplate template = new SnapshotTemplate();
    template.setSpec(options);
    return template;
  }

  private static void group(QuiescedSnapshotScheduleSpec spec) {
    spec.setGrouping(SnapshotGrouping.ConsistencyGroup);
    spec.setTemplate(template(QuiesceMode.Required));
  }

  @Test
  void aFireCreatesOneGroupSnapshotOfTheSelectedVmsWithTheSchedulesProvenance(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "group-fire");
    bed.createVm("shop-db", Map.of("app", "shop"));
    bed.createVm("shop-app", Map.of("app", "shop"));
    bed.createVm("shop-cache", Map.of("app", "shop"));
    bed.createVm("other", Map.of("app", "other"));
    bed.createSchedule(
        "shop", "0 * * * *", selector(Map.of("app", "shop")), ScheduleGroupTest::group);
    Instant first = bed.nextHour();
    String uid = bed.schedule("shop").getMetadata().getUid();

    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(first.plusSeconds(5), "shop");
      String name = ChildNames.scheduledGroupSnapshot("shop", first);
      assertThat(name).matches("shop--\\d{8}-\\d{4}");
      QuiescedSnapshot g = await().until(() -> bed.snapshotsOf("shop"), l -> l.size() == 1).get(0);
      assertThat(g.getMetadata().getName()).isEqualTo(name);
      assertThat(g.getSpec().getSource()).isNull();
      assertThat(g.getSpec().getSources().getVms())
          .as("the names the fire selected, sorted")
          .containsExactly("shop-app", "shop-cache", "shop-db");
      assertThat(g.getSpec().getSources().getVmSelector()).isNull();
      assertThat(g.getSpec().getQuiesce().getMode()).isEqualTo(QuiesceMode.Required);
      assertThat(g.getMetadata().getLabels())
          .containsEntry(Provenance.SCHEDULE, "shop")
          .containsEntry(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE)
          .doesNotContainKey(Provenance.VM);
      assertThat(g.getMetadata().getAnnotations())
          .containsEntry(Provenance.SCHEDULE, "shop")
          .containsEntry(Provenance.SCHEDULE_UID, uid);
      assertThat(ScheduledSnapshotTemplate.belongsTo(g, "shop", uid))
          .as("retention trusts it: label, annotation and schedule UID")
          .isTrue();
      assertThat(g.getMetadata().getOwnerReferences()).isEmpty();

      await()
          .untilAsserted(
              () -> {
                var status = bed.schedule("shop").getStatus();
                assertThat(status.getLastFire().getSelected()).isEqualTo(3);
                assertThat(status.getLastFire().getCreated()).isEqualTo(1);
                assertThat(status.getActive())
                    .singleElement()
                    .satisfies(
                        a -> {
                          assertThat(a.getName()).isEqualTo(name);
                          assertThat(a.getVm()).isNull();
                          assertThat(a.getVms())
                              .containsExactly("shop-app", "shop-cache", "shop-db");
                        });
                assertThat(Conditions.find(status.getConditions(), "GroupSizeInvalid"))
                    .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
              });

      // Forbid: the group is still Pending, so the next fire's group is skipped whole
      Instant second = first.plus(Duration.ofHours(1));
      bed.moveClockTo(second.plusSeconds(5), "shop");
      assertThat(bed.snapshotsOf("shop"))
          .extracting(s -> s.getMetadata().getName())
          .containsExactly(name);
      await()
          .untilAsserted(
              () -> {
                assertThat(bed.schedule("shop").getStatus().getLastFire().getSkipped())
                    .isEqualTo(3);
                assertThat(bed.events("shop", "SkippedInProgress"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).contains(name).contains("group"));
              });

      // once it ended, the next fire makes the next group
      bed.setPhase(name, SnapshotPhase.Succeeded);
      Instant third = second.plus(Duration.ofHours(1));
      bed.moveClockTo(third.plusSeconds(5), "shop");
      await()
          .untilAsserted(
              () ->
                  assertThat(bed.snapshotsOf("shop"))
                      .extracting(s -> s.getMetadata().getName())
                      .containsExactlyInAnyOrder(
                          name, ChildNames.scheduledGroupSnapshot("shop", third)));
    }
    assertThat(bed.allSnapshots()).as("no per-VM snapshot").hasSize(2);
  }

  @Test
  void aFireOfFewerThanTwoOrMoreThanSixteenVmsCreatesNothingAndSaysSo(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "group-size");
    bed.createVm("alone", Map.of("app", "shop"));
    bed.createSchedule(
        "shop", "0 * * * *", selector(Map.of("app", "shop")), ScheduleGroupTest::group);
    Instant slot = bed.nextHour();

    try (QuiesceTestOperator op = bed.startOperator(new SimpleMeterRegistry())) {
      bed.moveClockTo(slot.plusSeconds(5), "shop");
      await()
          .untilAsserted(
              () -> {
                QuiescedSnapshotSchedule s = bed.schedule("shop");
                assertThat(Conditions.find(s.getStatus().getConditions(), "GroupSizeInvalid"))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("True");
                          assertThat(c.getReason()).isEqualTo("GroupTooSmall");
                          assertThat(c.getMessage()).contains("selected 1 [alone]");
                        });
                assertThat(s.getStatus().getLastFire().getCreated()).isZero();
                assertThat(s.getStatus().getLastFire().getSkipped()).isEqualTo(1);
                assertThat(bed.events("shop", "GroupTooSmall"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
              });
      assertThat(bed.allSnapshots()).isEmpty();
      assertThat(Conditions.isTrue(bed.schedule("shop").getStatus().getConditions(), "Ready"))
          .as("the schedule itself is fine: the next fire may select a group")
          .isTrue();

      IntStream.rangeClosed(1, 16).forEach(i -> bed.createVm("vm-" + i, Map.of("app", "shop")));
      slot = slot.plus(Duration.ofHours(1));
      bed.moveClockTo(slot.plusSeconds(5), "shop");
      await()
          .untilAsserted(
              () -> {
                assertThat(
                        Conditions.find(
                            bed.schedule("shop").getStatus().getConditions(), "GroupSizeInvalid"))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getReason()).isEqualTo("GroupTooLarge");
                          assertThat(c.getMessage()).contains("selected 17");
                        });
                assertThat(bed.events("shop", "GroupTooLarge")).hasSize(1);
              });
      assertThat(bed.allSnapshots()).as("nothing else touched").isEmpty();
    }
  }

  @Test
  void aTemplateThatCannotMakeGroupsIsRefusedByTheApiAndByTheOperator(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "group-template");
    assertThatThrownBy(
            () ->
                bed.createSchedule(
                    "volumes",
                    "0 * * * *",
                    selector(Map.of()),
                    spec -> {
                      group(spec);
                      spec.getTemplate().getSpec().setVolumes(List.of("rootdisk"));
                    }))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("template.spec.volumes names the volumes of one VM");
    // a group of VMs may require one VolumeGroupSnapshot over all their disks
    assertThat(
            bed.createSchedule(
                "required",
                "0 0 1 1 *", // accepted only: it never fires during the test
                selector(Map.of()),
                spec -> {
                  group(spec);
                  spec.getTemplate().getSpec().setVolumeGroup(VolumeGroupMode.Required);
                }))
        .isNotNull();

    // the operator checks again: a schedule that got past an API server without the rule
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName("volumes");
    schedule.getMetadata().setNamespace("ns");
    schedule.getMetadata().setUid("uid-1");
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule("@daily");
    spec.setVmSelector(selector(Map.of()));
    group(spec);
    spec.getTemplate().getSpec().setVolumes(List.of("rootdisk"));
    schedule.setSpec(spec);
    ScheduleSpecCheck.Result check = ScheduleSpecCheck.check(schedule);
    assertThat(check.problem())
        .hasValueSatisfying(
            p -> {
              assertThat(p.reason()).isEqualTo(ScheduleSpecCheck.INVALID_TEMPLATE);
              assertThat(p.message()).contains("template.spec.volumes");
            });
    spec.getTemplate().getSpec().setVolumes(null);
    assertThat(ScheduleSpecCheck.check(schedule).valid().group()).isTrue();
  }

  /**
   * Through both reconcilers: each fire's group is really frozen (FAKE guest agents behind the test
   * kit's FAKE KubeVirt subresources) and cut (FAKE CSI snapshotter); keepLast 1 deletes the older
   * group as one unit, and with it every VolumeSnapshot of both its VMs.
   */
  @Test
  void retentionDeletesAGroupSnapshotAsOneUnitWithEveryVolumeSnapshotOfIt(
      KubeApiServer server, KubernetesClient client) {
    ScheduleTestBed bed = new ScheduleTestBed(server, client, "group-keep");
    String ns = bed.namespace;
    List<VmScenario> vms =
        List.of("app", "db").stream()
            .map(
                name -> {
                  VmScenario built = Fixtures.runningVm(ns, name).build();
                  built.vm().getMetadata().setLabels(Map.of("app", "shop"));
                  return built.create(client);
                })
            .toList();
    for (VmScenario vm : vms) {
      server
          .kubeVirt()
          .bind(
              ns,
              vm.vm().getMetadata().getName(),
              FakeGuestAgent.withOneDataDisk(),
              Duration.ofMillis(200));
    }
    SnapshotRetention keepOne = new SnapshotRetention();
    keepOne.setKeepLast(1);
    bed.createSchedule(
        "shop",
        "0 * * * *",
        selector(Map.of("app", "shop")),
        spec -> {
          group(spec);
          spec.setRetention(keepOne);
        });
    Instant first = bed.nextHour();
    Instant second = first.plus(Duration.ofHours(1));
    String older = ChildNames.scheduledGroupSnapshot("shop", first);
    String newer = ChildNames.scheduledGroupSnapshot("shop", second);

    KubernetesClient operatorClient = server.newClient();
    SnapshotSettings settings =
        new SnapshotSettings(
            10,
            2,
            QuiesceChannel.AUTO,
            "quiesce-system",
            SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
            Duration.ofMillis(200),
            Clock.systemUTC());
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            QuiesceTestOperator.start(
                operatorClient,
                new QuiescedSnapshotScheduleReconciler(
                    operatorClient, bed.clock, new SimpleMeterRegistry(), ScheduleTestBed.FAST),
                new QuiescedSnapshotReconciler(
                    operatorClient,
                    settings,
                    new HttpKubeVirtFreezeApi(operatorClient, Duration.ofSeconds(5)),
                    new EventRecorder(
                        operatorClient,
                        EventRecorder.Reporter.operator("test-operator"),
                        Clock.systemUTC(),
                        Runnable::run),
                    new SnapshotMetrics(new SimpleMeterRegistry())))) {
      bed.moveClockTo(first.plusSeconds(5), "shop");
      QuiescedSnapshot done = awaitSucceeded(client, ns, older);
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getMembers())
          .extracting(GroupMember::getVm)
          .containsExactly("app", "db");
      List<String> olderCopies = volumeSnapshots(done);
      assertThat(olderCopies)
          .as("every disk of both VMs")
          .hasSize(vms.stream().mapToInt(v -> v.claimNames().size()).sum());

      bed.moveClockTo(second.plusSeconds(5), "shop");
      QuiescedSnapshot next = awaitSucceeded(client, ns, newer);
      List<String> newerCopies = volumeSnapshots(next);

      await("retention deletes the older group, and with it its VolumeSnapshots")
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(bed.snapshotsOf("shop"))
                    .extracting(s -> s.getMetadata().getName())
                    .containsExactly(newer);
                assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems())
                    .extracting(vs -> vs.getMetadata().getName())
                    .containsExactlyInAnyOrderElementsOf(newerCopies)
                    .doesNotContainAnyElementsOf(olderCopies);
              });
      assertThat(bed.events("shop", "RetentionDeleted"))
          .singleElement()
          .satisfies(e -> assertThat(e.getMessage()).contains("1 snapshot(s): " + older));
    }
  }

  private static QuiescedSnapshot awaitSucceeded(KubernetesClient client, String ns, String name) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get(),
            s -> {
              if (s != null
                  && s.getStatus() != null
                  && s.getStatus().getPhase() == SnapshotPhase.Failed) {
                throw new AssertionError(name + " failed: " + s.getStatus().getMessage());
              }
              return s != null
                  && s.getStatus() != null
                  && s.getStatus().getPhase() == SnapshotPhase.Succeeded;
            });
  }

  private static List<String> volumeSnapshots(QuiescedSnapshot s) {
    return s.getStatus().getMembers().stream()
        .flatMap(m -> m.getVolumeSnapshots().stream())
        .map(VolumeSnapshotRecord::getVolumeSnapshotName)
        .toList();
  }
}
