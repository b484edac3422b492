package io.quiesce.window;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The helper's heartbeat: Lease {@code quiesce-helper-<node>} in the helper's namespace, renewed
 * every {@link #RENEW_INTERVAL}. The operator treats a helper whose Lease is older than three
 * intervals as gone. Uses get, create and update only (the chart grants nothing else on Leases).
 */
final class HeartbeatLease implements AutoCloseable {
  static final Duration RENEW_INTERVAL = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatLease.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String holder;
  private final Clock clock;
  private final ScheduledFuture<?> renewal;

  HeartbeatLease(
      KubernetesClient client,
      String namespace,
      String node,
      Clock clock,
      ScheduledExecutorService scheduler) {
    this.client = client;
    this.namespace = namespace;
    this.name = leaseName(node);
    this.holder = node;
    this.clock = clock;
    this.renewal =
        scheduler.scheduleWithFixedDelay(
            this::renewQuietly, 0, RENEW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code quiesce-helper-<node>}. */
  static String leaseName(String node) {
    return "quiesce-helper-" + node;
  }

  /** Creates or renews the Lease now. */
  void renew() {
    // Lease times are MicroTime: microseconds
    ZonedDateTime now = clock.instant().truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
    var leases = client.leases().inNamespace(namespace);
    Lease current = leases.withName(name).get();
    if (current == null) {
      leases
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .addToLabels("app.kubernetes.io/managed-by", "quiesce")
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity(holder)
                  .withLeaseDurationSeconds((int) RENEW_INTERVAL.multipliedBy(3).toSeconds())
                  .withAcquireTime(now)
                  .withRenewTime(now)
                  .endSpec()
                  .build())
          .create();
      return;
    }
    current.getSpec().setHolderIdentity(holder);
    current.getSpec().setRenewTime(now);
    leases.resource(current).update();
  }

  private void renewQuietly() {
    try {
      renew();
    } catch (KubernetesClientException e) {
      LOG.warn("heartbeat Lease {}/{} not renewed: {}", namespace, name, e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("heartbeat Lease {}/{} failed", namespace, name, e);
    }
  }

  @Override
  public void close() {
    renewal.cancel(false);
  }
}
