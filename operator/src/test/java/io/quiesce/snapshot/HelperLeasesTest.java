package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's Lease informer is told of the helpers' heartbeats (and the leader's Lease), not of
 * the freeze slots' Leases, which it swaps once per snapshot and reads by GET: their events were
 * decoded only to be filtered out.
 */
@KubeApiTest
class HelperLeasesTest {

  @Test
  void theLeaseWatchLeavesOutTheSlotsLeases(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("leases");
    client.resource(lease(ns, ClusterObserver.HELPER_LEASE_PREFIX + "node-a", Map.of())).create();
    client.resource(lease(ns, "quiesce-operator-leader", Map.of())).create();
    try (SharedIndexInformer<Lease> informer =
        client
            .leases()
            .inNamespace(ns)
            .withLabelSelector(SecondarySources.LEASES_SELECTOR)
            .inform()) {
      // a slot Lease as SlotLeases writes it, created and then swapped while the watch runs
      Lease slot =
          client
              .resource(lease(ns, "quiesce-slot-0", Map.of(SlotLeases.SLOT_LABEL, "true")))
              .create();
      slot.getSpec().setHolderIdentity("another-snapshot");
      client.resource(slot).update();
      client.resource(lease(ns, ClusterObserver.HELPER_LEASE_PREFIX + "node-b", Map.of())).create();

      await().atMost(Duration.ofSeconds(30)).until(() -> informer.getStore().list().size() == 3);
      assertThat(informer.getStore().list())
          .extracting(l -> l.getMetadata().getName())
          .containsExactlyInAnyOrder(
              "quiesce-helper-node-a", "quiesce-helper-node-b", "quiesce-operator-leader");
    }
  }

  private static Lease lease(String ns, String name, Map<String, String> labels) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity("holder")
        .withLeaseDurationSeconds(30)
        .endSpec()
        .build();
  }
}
