package io.quiesce.testkit.kube.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeGroupSnapshotSource;
import io.quiesce.kube.csi.VolumeGroupSnapshotSpec;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.testkit.kube.ClusterCrds;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake group-snapshot controller, observed through the API as a user would. */
@KubeApiTest
class FakeGroupSnapshotterTest {
  private static final String VERSION = "v1";
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final KubeApiServer server;
  private FakeSnapshotter snapshotter;
  private FakeGroupSnapshotter groups;

  FakeGroupSnapshotterTest(KubernetesClient client, KubeApiServer server) {
    this.client = client;
    this.server = server;
  }

  @BeforeEach
  void start() {
    if (VolumeGroupSnapshotApi.servedVersion(client).isEmpty()) {
      ClusterCrds.installGroupSnapshots(client, VERSION, "v1beta2", "v1beta1");
    }
    snapshotter = FakeSnapshotter.start(server.newClient());
    groups =
        FakeGroupSnapshotter.start(
            server.newClient(), VERSION, Duration.ofMillis(200), Duration.ofMillis(200));
  }

  @AfterEach
  void stop() {
    groups.close();
    snapshotter.close();
  }

  @Test
  void aGroupCutsEveryMatchedPvcAtOneInstantWithMembersOwnedByIt() {
    String ns = server.createNamespace("group");
    Fixtures.createDefaultGroupSnapshotClassIfMissing(client, VERSION);
    VmScenario vm =
        Fixtures.runningVm(ns, "db").withPvcDisk("logs", "db-logs", "1Gi").create(client);
    label(ns, vm.claimNames(), "g1");

    create(ns, "g1", "g1");

    VolumeGroupSnapshot done =
        await()
            .atMost(PATIENCE)
            .until(
                () -> get(ns, "g1"),
                g -> g.getStatus() != null && Boolean.TRUE.equals(g.getStatus().getReadyToUse()));
    GroupSnapshotRecord record = groups.record(ns, "g1").orElseThrow();
    assertThat(record.pvcs()).containsExactlyInAnyOrderElementsOf(vm.claimNames());
    List<VolumeSnapshot> members =
        client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems();
    assertThat(members)
        .hasSize(vm.claimNames().size())
        .allSatisfy(
            m -> {
              assertThat(m.getMetadata().getName()).matches("snapshot-[0-9a-f]{64}");
              assertThat(m.getStatus().getVolumeGroupSnapshotName()).isEqualTo("g1");
              assertThat(m.getStatus().getCreationTime())
                  .isEqualTo(done.getStatus().getCreationTime());
              assertThat(m.getStatus().getReadyToUse()).isTrue();
              assertThat(m.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(
                      ref -> assertThat(ref.getUid()).isEqualTo(done.getMetadata().getUid()));
            });
    assertThat(members)
        .extracting(m -> m.getSpec().getSource().getPersistentVolumeClaimName())
        .containsExactlyInAnyOrderElementsOf(vm.claimNames());
    assertThat(snapshotter.records())
        .as("the per-volume fake leaves members alone")
        .noneMatch(r -> r.namespace().equals(ns));

    client
        .genericKubernetesResources(VolumeGroupSnapshotApi.groupSnapshots(VERSION))
        .inNamespace(ns)
        .withName("g1")
        .delete();
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems().isEmpty());
  }

  @Test
  void aGroupWithoutAClassOrWithAFailureReportsTheErrorAndCutsNothing() {
    String ns = server.createNamespace("group-err");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    label(ns, vm.claimNames(), "g2");
    groups.onGroup(ns, "g2", SnapshotBehaviour.fail("driver refused the group"));
    Fixtures.createDefaultGroupSnapshotClassIfMissing(client, VERSION);

    create(ns, "g2", "g2");
    create(ns, "nothing", "no-such-label");

    assertThat(awaitError(ns, "g2")).isEqualTo("driver refused the group");
    assertThat(awaitError(ns, "nothing")).contains("no PersistentVolumeClaim");
    assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems()).isEmpty();
  }

  private String awaitError(String ns, String name) {
    return await()
        .atMost(PATIENCE)
        .until(() -> get(ns, name), g -> g.getStatus() != null && g.getStatus().getError() != null)
        .getStatus()
        .getError()
        .getMessage();
  }

  private void label(String ns, List<String> claims, String value) {
    for (String claim : claims) {
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .withName(claim)
          .edit(
              p -> {
                java.util.Map<String, String> labels =
                    new java.util.HashMap<>(
                        p.getMetadata().getLabels() == null
                            ? Map.of()
                            : p.getMetadata().getLabels());
                labels.put("group", value);
                p.getMetadata().setLabels(labels);
                return p;
              });
    }
  }

  private void create(String ns, String name, String labelValue) {
    VolumeGroupSnapshot group = new VolumeGroupSnapshot();
    group.getMetadata().setName(name);
    group.getMetadata().setNamespace(ns);
    VolumeGroupSnapshotSource source = new VolumeGroupSnapshotSource();
    source.setSelector(
        new LabelSelectorBuilder().withMatchLabels(Map.of("group", labelValue)).build());
    VolumeGroupSnapshotSpec spec = new VolumeGroupSnapshotSpec();
    spec.setSource(source);
    group.setSpec(spec);
    VolumeGroupSnapshotApi.create(client, VERSION, group);
  }

  private VolumeGroupSnapshot get(String ns, String name) {
    return VolumeGroupSnapshotApi.get(client, VERSION, ns, name);
  }
}
