package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

@KubeApiTest
class HeartbeatLeaseTest {

  @Test
  void createsTheLeaseAtOnceAndRenewsItInPlace(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("lease");
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    Instant first = Instant.parse("2026-01-01T00:00:00.123456Z");
    try (HeartbeatLease lease =
        new HeartbeatLease(client, ns, "node01", Clock.fixed(first, ZoneOffset.UTC), scheduler)) {
      await()
          .until(
              () ->
                  client.leases().inNamespace(ns).withName("quiesce-helper-node01").get() != null);
      Lease created = client.leases().inNamespace(ns).withName("quiesce-helper-node01").get();
      assertThat(created.getSpec().getHolderIdentity()).isEqualTo("node01");
      assertThat(created.getSpec().getLeaseDurationSeconds()).isEqualTo(30);
      assertThat(created.getSpec().getRenewTime().toInstant()).isEqualTo(first);

      Instant later = first.plusSeconds(10);
      // a restarted helper (a new clock reading) renews the same Lease rather than making another
      try (HeartbeatLease restarted =
          new HeartbeatLease(client, ns, "node01", Clock.fixed(later, ZoneOffset.UTC), scheduler)) {
        await()
            .until(
                () ->
                    client
                        .leases()
                        .inNamespace(ns)
                        .withName("quiesce-helper-node01")
                        .get()
                        .getSpec()
                        .getRenewTime()
                        .toInstant()
                        .equals(later));
      }
      Lease renewed = client.leases().inNamespace(ns).withName("quiesce-helper-node01").get();
      assertThat(renewed.getSpec().getRenewTime().toInstant()).isEqualTo(later);
      assertThat(renewed.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
    } finally {
      scheduler.shutdownNow();
    }
  }
}
