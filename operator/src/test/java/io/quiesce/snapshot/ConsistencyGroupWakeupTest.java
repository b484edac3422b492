package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.fixtures.VmScenarioBuilder;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Pending group snapshot is woken by its members' events: the VMI informer's mapper files a group
 * under every VM it names, so a member that finishes migrating reconciles the group at once, not at
 * the next periodic look (set to a minute here, so only the event can explain a prompt start).
 * Guests: FAKE agents behind the test kit's FAKE KubeVirt subresources; cuts by the FAKE CSI
 * snapshotter.
 */
@KubeApiTest
class ConsistencyGroupWakeupTest {
  /** Far longer than the bound below: a start within the bound is the VMI event's doing. */
  private static final Duration PERIODIC_LOOK = Duration.ofMinutes(1);

  private static final Duration PROMPT = Duration.ofSeconds(2);

  @Test
  void aGroupWaitingForAMigratingMemberStartsAsSoonAsTheMigrationEnds(
      KubeApiServer server, KubernetesClient client) {
    SnapshotSources byName = new SnapshotSources();
    byName.setVms(List.of("app", "db"));
    groupStartsWhenItsMemberSettles(server, client, "group-wake", byName);
  }

  /** A group by selector is filed under its namespace: any VM there may be one of it. */
  @Test
  void aGroupBySelectorIsWokenTheSameWay(KubeApiServer server, KubernetesClient client) {
    SnapshotSources bySelector = new SnapshotSources();
    bySelector.setVmSelector(new LabelSelectorBuilder().addToMatchLabels("app", "shop").build());
    groupStartsWhenItsMemberSettles(server, client, "group-wake-sel", bySelector);
  }

  private static void groupStartsWhenItsMemberSettles(
      KubeApiServer server, KubernetesClient client, String prefix, SnapshotSources sources) {
    String ns = server.createNamespace(prefix);
    for (String name : List.of("app", "db")) {
      VmScenarioBuilder vm = Fixtures.runningVm(ns, name);
      VmScenario built = (name.equals("db") ? vm.migratingTo("node02") : vm).build();
      built.vm().getMetadata().setLabels(Map.of("app", "shop"));
      built.create(client);
    }
    server.kubeVirt().bind(ns, "app", FakeGuestAgent.withOneDataDisk(), Duration.ofMillis(200));
    server.kubeVirt().bind(ns, "db", FakeGuestAgent.withOneDataDisk(), Duration.ofMillis(200));
    SnapshotSettings settings =
        new SnapshotSettings(
            10,
            2,
            QuiesceChannel.AUTO,
            OPERATOR_NAMESPACE,
            SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
            PERIODIC_LOOK,
            Clock.systemUTC());
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op = startOperator(server, settings, new SimpleMeterRegistry())) {
      QuiescedSnapshot group = snapshot(ns, "shop", null, QuiesceMode.Required, "5m");
      group.getSpec().setSource(null);
      group.getSpec().setSources(sources);
      group.getSpec().getQuiesce().setTimeout("10s");
      client.resource(group).create();

      QuiescedSnapshot pending = awaitPhase(client, ns, "shop", SnapshotPhase.Pending);
      assertThat(pending.getStatus().getMessage()).contains(ns + "/db is migrating");
      assertThat(Conditions.find(pending.getStatus().getConditions(), "Reconciling"))
          .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("Migrating"));
      // settled: whatever reconcile the Pending write itself caused has run and found db migrating
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> phase(client, ns, "shop") == SnapshotPhase.Pending);

      Instant finished = Instant.now();
      client
          .resources(VirtualMachineInstance.class)
          .inNamespace(ns)
          .withName("db")
          .editStatus(
              vmi -> {
                var migration = vmi.getStatus().getMigrationState();
                migration.setCompleted(true);
                migration.setEndTimestamp(finished.toString());
                vmi.getStatus().setNodeName(migration.getTargetNode());
                return vmi;
              });

      await("the group leaves Pending promptly after its member's migration ended")
          .atMost(PROMPT)
          .until(() -> phase(client, ns, "shop") != SnapshotPhase.Pending);
      System.out.printf(
          "[figure] group (%s) started %d ms after its member's migration ended (periodic look: %d"
              + " s)%n",
          sources.getVms() != null ? "by name" : "by selector",
          Duration.between(finished, Instant.now()).toMillis(),
          PERIODIC_LOOK.toSeconds());

      QuiescedSnapshot done =
          awaitPhase(client, ns, "shop", SnapshotPhase.Succeeded, Duration.ofSeconds(30));
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getMembers())
          .allSatisfy(m -> assertThat(m.getFrozen()).as(m.getVm()).isTrue());
    }
  }

  private static SnapshotPhase phase(KubernetesClient client, String ns, String name) {
    QuiescedSnapshot s =
        client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get();
    return s == null || s.getStatus() == null ? null : s.getStatus().getPhase();
  }
}
