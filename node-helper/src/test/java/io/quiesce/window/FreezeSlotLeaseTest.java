package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The helper's side of the cluster freeze cap: it freezes an assigned snapshot only while the
 * freeze slot Lease the operator named on it holds the snapshot's uid (a paused former leader's
 * assignment of a slot that has changed hands is refused). FAKE agents: what matters is whether
 * FREEZE is sent.
 */
@KubeApiTest
class FreezeSlotLeaseTest {

  @Test
  void refusesUnlessTheNamedLeaseHoldsTheSnapshot(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("slot");
    FreezeSlotLease check = new FreezeSlotLease(client, ns);
    QuiescedSnapshot s = snapshot("uid-a", "quiesce-slot-0");
    assertThat(check.refusal(s))
        .as("no such Lease")
        .hasValueSatisfying(r -> assertThat(r).contains("does not exist"));
    client.resource(slotLease(ns, "quiesce-slot-0", "uid-b")).create();
    assertThat(check.refusal(s))
        .as("held by another")
        .hasValueSatisfying(r -> assertThat(r).contains("another snapshot"));
    assertThat(check.refusal(snapshot("uid-b", "quiesce-slot-0"))).as("held by it").isEmpty();
    assertThat(check.refusal(snapshot("uid-b", "quiesce-helper-node01")))
        .as("not a slot Lease")
        .isPresent();
    assertThat(check.refusal(snapshot("uid-b", null)))
        .as("assigned without a slot (by hand)")
        .hasValueSatisfying(r -> assertThat(r).contains("without a freeze slot"));
    assertThat(check.missing(snapshot("uid-b", null))).isPresent();
    assertThat(check.missing(snapshot("uid-b", "quiesce-slot-0"))).isEmpty();
  }

  @Test
  void aSnapshotWhoseSlotIsHeldByAnotherIsNotFrozenUntilTheLeaseNamesIt(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("slot-held");
    try (FakeAgentNode node = new FakeAgentNode();
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      VmScenario vm = node.vm(client, ns, "db");
      QuiescedSnapshot snap =
          AssignedSnapshots.assign(client, vm, "snap", QuiesceMode.Required, "5s", false);
      client.resource(slotLease(ns, "quiesce-slot-900003", "some-other-uid")).create();
      snap =
          client
              .resource(snap)
              .edit(
                  s -> {
                    s.getMetadata()
                        .setAnnotations(Map.of(Provenance.FREEZE_SLOT, "quiesce-slot-900003"));
                    return s;
                  });
      try (NodeHelper helper =
          node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(30)))) {
        await("the helper retries while the slot is another's")
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(10))
            .until(() -> node.agent(ns, "db").count(Command.FREEZE) == 0);
        QuiescedSnapshot live = AssignedSnapshots.get(client, snap);
        assertThat(live.getStatus().getFreeze()).as("no record while refused").isNull();

        String uid = live.getMetadata().getUid();
        client
            .leases()
            .inNamespace(ns)
            .withName("quiesce-slot-900003")
            .edit(
                l -> {
                  l.getSpec().setHolderIdentity(uid);
                  return l;
                });
        await("the freeze record")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> AssignedSnapshots.get(client, live).getStatus().getFreeze() != null);
        FreezeRecord record = AssignedSnapshots.get(client, live).getStatus().getFreeze();
        assertThat(record.getReason()).isEqualTo("Frozen");
        assertThat(node.agent(ns, "db").count(Command.FREEZE)).isEqualTo(1);
      }
    }
  }

  @Test
  void aSnapshotAssignedWithoutASlotIsNeverFrozenAndSaysWhy(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("slot-none");
    try (FakeAgentNode node = new FakeAgentNode();
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      VmScenario vm = node.vm(client, ns, "db");
      QuiescedSnapshot assigned =
          AssignedSnapshots.assign(client, vm, "by-hand", QuiesceMode.Required, "5s", false);
      // as written by hand, or by an operator from before slots: the node label, no slot
      QuiescedSnapshot snap =
          client
              .resource(assigned)
              .edit(
                  s -> {
                    s.getMetadata().getAnnotations().remove(Provenance.FREEZE_SLOT);
                    return s;
                  });
      try (NodeHelper helper =
          node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(30)))) {
        await("the freeze record")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> AssignedSnapshots.get(client, snap).getStatus().getFreeze() != null);
        FreezeRecord record = AssignedSnapshots.get(client, snap).getStatus().getFreeze();
        assertThat(record.getReason()).isEqualTo("FreezeSlotMissing");
        assertThat(record.getError()).contains(Provenance.FREEZE_SLOT);
        assertThat(record.getFilesystemsFrozen()).isZero();
        assertThat(node.agent(ns, "db").count(Command.FREEZE)).isZero();
        assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
            .as("Required: nothing cut")
            .isEmpty();
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
            .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("FreezeSlotMissing"));
      }
    }
  }

  @Test
  void aSlotHeldByAnotherIsSaidOnceOnTheSnapshot(KubeApiServer server, KubernetesClient client)
      throws Exception {
    String ns = server.createNamespace("slot-said");
    try (FakeAgentNode node = new FakeAgentNode();
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      VmScenario vm = node.vm(client, ns, "db");
      QuiescedSnapshot snap =
          AssignedSnapshots.assign(client, vm, "snap", QuiesceMode.Required, "5s", false);
      String slot = snap.getMetadata().getAnnotations().get(Provenance.FREEZE_SLOT);
      AssignedSnapshots.holdSlot(client, ns, slot, "some-other-uid");
      try (NodeHelper helper =
          node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(30)))) {
        await("a Warning Event on the snapshot")
            .atMost(Duration.ofSeconds(20))
            .until(() -> slotEvents(client, ns) > 0);
        await("retried, not said again")
            .during(Duration.ofMillis(2500))
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    slotEvents(client, ns) == 1 && node.agent(ns, "db").count(Command.FREEZE) == 0);
        assertThat(AssignedSnapshots.get(client, snap).getStatus().getFreeze()).isNull();
      }
    }
  }

  private static long slotEvents(KubernetesClient client, String ns) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "FreezeSlotNotHeld".equals(e.getReason()))
        .mapToLong(e -> e.getCount() == null ? 1 : e.getCount())
        .sum();
  }

  private static QuiescedSnapshot snapshot(String uid, String slot) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setNamespace("ns");
    s.getMetadata().setName("snap");
    s.getMetadata().setUid(uid);
    if (slot != null) {
      s.getMetadata().setAnnotations(Map.of(Provenance.FREEZE_SLOT, slot));
    }
    return s;
  }

  private static Lease slotLease(String ns, String name, String holder) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(holder)
        .endSpec()
        .build();
  }
}
