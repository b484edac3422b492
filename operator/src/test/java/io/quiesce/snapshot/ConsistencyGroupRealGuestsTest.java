package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.events;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotRecord;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kubevirt.QgaKubeVirtGuest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A QuiescedSnapshot of several VMs ({@code spec.sources}) end to end through the operator: two
 * REAL guests, each with its real qemu-guest-agent (the test kit's shared guest and a second one
 * booted once for this class), frozen through KubeVirt's subresources served by the test kit's FAKE
 * of virt-api/virt-handler ({@code FakeKubeVirtApi}, acting on each guest through its agent), the
 * VolumeSnapshots cut by the test kit's FAKE CSI snapshotter.
 */
@RealGuest
@KubeApiTest
class ConsistencyGroupRealGuestsTest {
  private static GuestVm second;

  @BeforeAll
  static void bootTheSecondGuest() {
    second = GuestVm.boot();
    System.out.printf("[figure] second guest booted in %d ms%n", second.bootTime().toMillis());
  }

  @AfterAll
  static void stopTheSecondGuest() {
    if (second != null) {
      second.close();
    }
  }

  private static QuiescedSnapshot group(String ns, String name, QuiesceMode mode, String... vms) {
    QuiescedSnapshot s = snapshot(ns, name, null, mode, "3m");
    s.getSpec().setSource(null);
    SnapshotSources sources = new SnapshotSources();
    sources.setVms(List.of(vms));
    s.getSpec().setSources(sources);
    s.getSpec().getQuiesce().setTimeout("20s");
    s.getSpec().setDeletionPolicy(DeletionPolicy.Delete);
    return s;
  }

  @Test
  void twoRealGuestsAreFrozenTogetherCutInsideTheCommonWindowThawedAndFollowedToReady(
      GuestVm first, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("group-op");
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(1), Duration.ofSeconds(1));
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      VmScenario app = Fixtures.runningVm(ns, "app").create(client);
      VmScenario db = Fixtures.runningVm(ns, "db").onNode("node02").create(client);
      server.kubeVirt().bind(ns, "app", new QgaKubeVirtGuest(first.agentSocket()));
      server.kubeVirt().bind(ns, "db", new QgaKubeVirtGuest(second.agentSocket()));
      first.awaitWriterAdvance(Duration.ofSeconds(30));
      second.awaitWriterAdvance(Duration.ofSeconds(30));

      create(client, group(ns, "shop", QuiesceMode.Required, "app", "db"));
      QuiescedSnapshot done =
          awaitPhase(client, ns, "shop", SnapshotPhase.Succeeded, Duration.ofSeconds(120));

      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("Frozen");
      assertThat(Conditions.isTrue(done.getStatus().getConditions(), "Ready")).isTrue();
      assertThat(done.getStatus().getVolumeSnapshots())
          .as("one VM's list stays empty for a group")
          .isNull();
      Instant commonStart = Instant.parse(done.getStatus().getCommonWindow().getStartTime());
      Instant commonEnd = Instant.parse(done.getStatus().getCommonWindow().getEndTime());
      assertThat(done.getStatus().getCommonWindow().getDurationMs()).isPositive();
      assertThat(done.getStatus().getMembers())
          .extracting(GroupMember::getVm)
          .containsExactly("app", "db");
      List<String> claims = new ArrayList<>();
      for (GroupMember m : done.getStatus().getMembers()) {
        assertThat(m.getFrozen()).as(m.getVm()).isTrue();
        assertThat(m.getFreeze().getReason()).isEqualTo("Frozen");
        assertThat(m.getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Cut);
        assertThat(Instant.parse(m.getFreeze().getStartTime())).isBeforeOrEqualTo(commonStart);
        assertThat(Instant.parse(m.getFreeze().getEndTime())).isAfterOrEqualTo(commonEnd);
        assertThat(m.getVolumeSnapshots()).isNotEmpty();
        for (VolumeSnapshotRecord r : m.getVolumeSnapshots()) {
          assertThat(r.getReadyToUse()).isTrue();
          SnapshotRecord cut = csi.record(ns, r.getVolumeSnapshotName()).orElseThrow();
          assertThat(cut.cutAt())
              .as("cut of %s/%s inside the common window", m.getVm(), r.getVolume())
              .isBetween(commonStart, commonEnd);
          claims.add(r.getPersistentVolumeClaim());
        }
      }
      List<String> expected = new ArrayList<>(app.claimNames());
      expected.addAll(db.claimNames());
      assertThat(claims).as("every disk of both VMs").containsExactlyInAnyOrderElementsOf(expected);
      assertThat(server.kubeVirt().calls())
          .filteredOn(c -> c.startsWith("PUT") && c.contains(ns + "/"))
          .containsExactlyInAnyOrder(
              "PUT freeze " + ns + "/app 200",
              "PUT freeze " + ns + "/db 200",
              "PUT unfreeze " + ns + "/app 200",
              "PUT unfreeze " + ns + "/db 200");
      assertThawed(first);
      assertThawed(second);
      System.out.printf(
          "[figure] group snapshot of 2 real guests through the operator: common window %d ms%n",
          done.getStatus().getCommonWindow().getDurationMs());

      // deletion: the group's VolumeSnapshots go as one unit (deletionPolicy Delete)
      client.resource(done).delete();
      await("every VolumeSnapshot of the group deleted")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems().stream()
                      .noneMatch(vs -> vs.getMetadata().getDeletionTimestamp() == null));
    }
  }

  @Test
  void requiredWithOneVmLackingAnAgentFailsNamingItAndLeavesNothingFrozen(
      GuestVm first, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("group-op-required");
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      Fixtures.runningVm(ns, "app").create(client);
      Fixtures.runningVm(ns, "noagent").agentDisconnected().create(client); // no guest bound
      server.kubeVirt().bind(ns, "app", new QgaKubeVirtGuest(first.agentSocket()));

      create(client, group(ns, "shop", QuiesceMode.Required, "app", "noagent"));
      QuiescedSnapshot failed =
          awaitPhase(client, ns, "shop", SnapshotPhase.Failed, Duration.ofSeconds(60));

      assertThawed(first);
      assertThat(Conditions.find(failed.getStatus().getConditions(), "Failed"))
          .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("FreezeFailed"));
      assertThat(failed.getStatus().getMessage())
          .contains("VirtualMachineInstance " + ns + "/noagent")
          .contains("nothing was cut");
      assertThat(failed.getStatus().getMembers())
          .filteredOn(m -> m.getVm().equals("noagent"))
          .singleElement()
          .satisfies(m -> assertThat(m.getFrozen()).isFalse());
      assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems())
          .as("nothing cut")
          .isEmpty();
      assertThat(server.kubeVirt().calls()).contains("PUT unfreeze " + ns + "/app 200");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(events(client, ns, "shop"))
                      .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("FreezeFailed")));
    }
  }

  /** A create the client retried under load (its first try landed) finds the object there. */
  private static void create(KubernetesClient client, QuiescedSnapshot s) {
    try {
      client.resource(s).create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private static void assertThawed(GuestVm guest) throws Exception {
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }
}
