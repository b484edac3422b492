package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import io.quiesce.api.v1alpha1.SnapshotTemplate;
import io.quiesce.naming.Provenance;
import io.quiesce.operator.OperatorRuntime;
import io.quiesce.operator.OperatorSettings;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The schedule controller as {@code operator.jar run} wires it next to the snapshot controller: it
 * reads its snapshots off the snapshot controller's informer (one watch of QuiescedSnapshots, each
 * event decoded once), and the snapshots it creates carry the snapshot controller's finalizer from
 * their creation (no finalizer patch), while one created by hand still gets it.
 */
@KubeApiTest
class ScheduledSnapshotsInOperatorTest {
  /**
   * A watch of QuiescedSnapshots in all namespaces (not schedules, not restores), but the FAKE node
   * helper's (of its node's snapshots).
   */
  private static final Pattern SNAPSHOT_WATCH =
      Pattern.compile("^/apis/quiesce\\.io/v1alpha1/quiescedsnapshots\\?(?!.*quiesce\\.io%2Fnode)");

  private static final List<String> VMS = List.of("vm-0", "vm-1");

  @Test
  void oneInformerFeedsBothControllersAndScheduledSnapshotsAreBornWithTheFinalizer(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("scheduled");
    String system = server.createNamespace("quiesce-system");
    for (String vm : VMS) {
      Fixtures.runningVm(ns, vm)
          .onNode("node-0")
          .withPvcDisk("root", vm + "-root", "1Gi")
          .create(client);
    }
    Instant slot =
        LocalDate.now(ZoneOffset.UTC)
            .plusYears(1)
            .withDayOfYear(1)
            .atStartOfDay()
            .toInstant(ZoneOffset.UTC);
    Clock scheduleClock =
        Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), slot.plusSeconds(1)));
    Map<String, List<String>> finalizersWhenAdded = new ConcurrentHashMap<>();
    long watchesBefore = snapshotWatches(server);
    try (Watch added =
            client
                .resources(QuiescedSnapshot.class)
                .inNamespace(ns)
                .watch(
                    new Watcher<>() {
                      @Override
                      public void eventReceived(Action action, QuiescedSnapshot s) {
                        if (action == Action.ADDED) {
                          finalizersWhenAdded.put(
                              s.getMetadata().getName(),
                              s.getMetadata().getFinalizers() == null
                                  ? List.of()
                                  : List.copyOf(s.getMetadata().getFinalizers()));
                        }
                      }

                      @Override
                      public void onClose(WatcherException cause) {}
                    });
        FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(300), Duration.ofMillis(100));
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                FakeNodeHelper.Behaviour.FREEZE_OK,
                system,
                4,
                List.of("node-0"));
        OperatorRuntime operator =
            OperatorRuntime.startInTest(settings(system), server.newClient(), scheduleClock)) {
      client.resource(schedule(ns)).create();

      // status.active and lastSuccessfulTime come from the snapshots alone: the index was fed
      await("the schedule's status follows its snapshots to the end")
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                QuiescedSnapshotScheduleStatus status =
                    client
                        .resources(QuiescedSnapshotSchedule.class)
                        .inNamespace(ns)
                        .withName("fleet")
                        .get()
                        .getStatus();
                return status != null
                    && status.getLastFire() != null
                    && status.getLastFire().getCreated() == VMS.size()
                    && status.getActive() == null
                    && status.getLastSuccessfulTime() != null;
              });
      assertThat(snapshotWatches(server) - watchesBefore)
          .as(
              "watches of QuiescedSnapshots the operator opened, the snapshot controller's only: %s",
              server.registeredWatches())
          .isEqualTo(1);

      List<QuiescedSnapshot> scheduled =
          client
              .resources(QuiescedSnapshot.class)
              .inNamespace(ns)
              .withLabel(Provenance.SCHEDULE, "fleet")
              .list()
              .getItems();
      assertThat(scheduled).hasSize(VMS.size());
      assertThat(scheduled)
          .allSatisfy(
              s ->
                  assertThat(finalizersWhenAdded.get(s.getMetadata().getName()))
                      .as("finalizers of %s as created", s.getMetadata().getName())
                      .containsExactly(QuiescedSnapshotReconciler.FINALIZER));

      // a snapshot created by hand (kubectl) has none until the snapshot controller adds it
      QuiescedSnapshot byHand = new QuiescedSnapshot();
      byHand.getMetadata().setName("by-hand");
      byHand.getMetadata().setNamespace(ns);
      QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
      spec.setSource(VMS.get(0));
      byHand.setSpec(spec);
      client.resource(byHand).create();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  finalizersOf(client, ns, "by-hand")
                      .contains(QuiescedSnapshotReconciler.FINALIZER));
      assertThat(finalizersWhenAdded.get("by-hand")).isEmpty();

      // and a scheduled snapshot born with the finalizer is released by the controller
      String first = scheduled.get(0).getMetadata().getName();
      client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(first).delete();
      await("the deleted snapshot is gone")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(first).get()
                      == null);
    }
  }

  private static long snapshotWatches(KubeApiServer server) {
    return server.registeredWatches().stream()
        .filter(path -> SNAPSHOT_WATCH.matcher(path).find())
        .count();
  }

  private static List<String> finalizersOf(KubernetesClient client, String ns, String name) {
    QuiescedSnapshot s =
        client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get();
    return s == null || s.getMetadata().getFinalizers() == null
        ? List.of()
        : s.getMetadata().getFinalizers();
  }

  private static OperatorSettings settings(String system) {
    return new OperatorSettings(
        Set.of(),
        false,
        system,
        "operator-0",
        4,
        2,
        QuiesceChannel.AUTO,
        new InetSocketAddress("127.0.0.1", 0),
        SnapshotSettings.DEFAULT_FREEZE_TIMEOUT_MAX);
  }

  private static QuiescedSnapshotSchedule schedule(String ns) {
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName("fleet");
    schedule.getMetadata().setNamespace(ns);
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule("@yearly");
    spec.setVmSelector(new LabelSelector());
    spec.setStartingDeadlineSeconds(3600L);
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(QuiesceMode.Required);
    quiesce.setTimeout("30s"); // generous: on a loaded machine the fakes and the in-JVM server lag
    SnapshotOptions options = new SnapshotOptions();
    options.setQuiesce(quiesce);
    SnapshotTemplate template = new SnapshotTemplate();
    template.setSpec(options);
    spec.setTemplate(template);
    schedule.setSpec(spec);
    return schedule;
  }
}
