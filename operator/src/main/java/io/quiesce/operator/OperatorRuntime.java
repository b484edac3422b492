package io.quiesce.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quiesce.events.EventRecorder;
import io.quiesce.kube.TypedKinds;
import io.quiesce.restore.QuiescedSnapshotRestoreReconciler;
import io.quiesce.restore.RestoreStateMachine;
import io.quiesce.runtime.HealthServer;
import io.quiesce.schedule.QuiescedSnapshotScheduleReconciler;
import io.quiesce.schedule.ScheduleSettings;
import io.quiesce.schedule.ScheduledSnapshots;
import io.quiesce.snapshot.CachedCopies;
import io.quiesce.snapshot.HttpKubeVirtFreezeApi;
import io.quiesce.snapshot.QuiescedSnapshotReconciler;
import io.quiesce.snapshot.SnapshotCloner;
import io.quiesce.snapshot.SnapshotMetrics;
import io.quiesce.snapshot.SnapshotSettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * The running operator: the JOSDK Operator with the snapshot and schedule reconcilers, and the
 * health/metrics server.
 */
public final class OperatorRuntime implements AutoCloseable {
  private final Operator operator;
  private final HealthServer health;

  private OperatorRuntime(Operator operator, HealthServer health) {
    this.operator = operator;
    this.health = health;
  }

  /** Starts serving with these settings on this client. */
  public static OperatorRuntime start(OperatorSettings settings, KubernetesClient client)
      throws IOException {
    return start(settings, client, Clock.systemUTC(), true);
  }

  /**
   * For tests: the schedules' clock given (a schedule fires without waiting for its minute), and a
   * lost or released leadership stops only this operator instead of exiting the JVM, as JOSDK does
   * in the container (where Kubernetes restarts it).
   */
  public static OperatorRuntime startInTest(
      OperatorSettings settings, KubernetesClient client, Clock scheduleClock) throws IOException {
    return start(settings, client, scheduleClock, false);
  }

  private static OperatorRuntime start(
      OperatorSettings settings,
      KubernetesClient client,
      Clock scheduleClock,
      boolean exitOnStopLeading)
      throws IOException {
    TypedKinds.registerWith(client); // watch events decode once, straight into their classes
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics()
        .bindTo(registry); // heap and non-heap use, for dashboards and footprint figures
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(MicrometerMetricsV2.newBuilder(registry).build())
                  // a QuiescedSnapshot reaches its reconcile uncopied (SnapshotCloner says why)
                  .withResourceCloner(new SnapshotCloner(client.getKubernetesSerialization()));
              if (settings.leaderElection()) {
                LeaderElectionConfigurationBuilder election =
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.podNamespace())
                        .withIdentity(settings.podName());
                o.withLeaderElectionConfiguration(
                    exitOnStopLeading ? election.build() : election.buildForTest(false));
              }
            });
    SnapshotSettings snapshotSettings =
        new SnapshotSettings(
            settings.maxConcurrent(),
            settings.maxPerNode(),
            settings.defaultChannel(),
            settings.podNamespace(),
            SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
            Duration.ofSeconds(5),
            Clock.systemUTC(),
            settings.freezeTimeoutMax(),
            settings.shard());
    QuiescedSnapshotReconciler reconciler =
        new QuiescedSnapshotReconciler(
            client,
            snapshotSettings,
            new HttpKubeVirtFreezeApi(client, Duration.ofSeconds(10)),
            new EventRecorder(
                client,
                EventRecorder.Reporter.operator(settings.podName()),
                Clock.systemUTC(),
                Runnable::run),
            new SnapshotMetrics(registry));
    // the schedules read their snapshots off the snapshot controller's informer (decoded once)
    ScheduledSnapshots scheduled = new ScheduledSnapshots();
    if (settings.labelSelector() == null) {
      scheduled.presetFinalizer(QuiescedSnapshotReconciler.FINALIZER);
    }
    // a shard serves its namespaces and/or the objects its label selector matches
    // (docs/sharding.md)
    scheduled.syncedWith(
        operator.register(
            reconciler,
            o -> {
              if (!settings.watchNamespaces().isEmpty()) {
                o.settingNamespaces(settings.watchNamespaces());
              }
              if (settings.labelSelector() != null) {
                o.withLabelSelector(settings.labelSelector());
              }
              o.withItemStore(scheduled.over(new CachedCopies.SnapshotStore()));
            }));
    operator.register(
        new QuiescedSnapshotScheduleReconciler(
            client, scheduleClock, registry, ScheduleSettings.defaults(), scheduled),
        o -> {
          if (!settings.watchNamespaces().isEmpty()) {
            o.settingNamespaces(settings.watchNamespaces());
          }
          if (settings.labelSelector() != null) {
            o.withLabelSelector(settings.labelSelector());
          }
        });
    operator.register(
        new QuiescedSnapshotRestoreReconciler(
            client,
            new EventRecorder(
                client,
                EventRecorder.Reporter.operator(settings.podName()),
                Clock.systemUTC(),
                Runnable::run),
            Clock.systemUTC(),
            RestoreStateMachine.POLL),
        o -> {
          if (!settings.watchNamespaces().isEmpty()) {
            o.settingNamespaces(settings.watchNamespaces());
          }
          if (settings.labelSelector() != null) {
            o.withLabelSelector(settings.labelSelector());
          }
        });
    HealthServer health =
        HealthServer.start(
            settings.healthAddress(),
            () -> operator.getRuntimeInfo().allEventSourcesAreHealthy(),
            registry::scrape);
    try {
      operator.start();
    } catch (RuntimeException e) {
      health.close();
      throw e;
    }
    return new OperatorRuntime(operator, health);
  }

  /** The port of /healthz, /readyz and /metrics. */
  public int healthPort() {
    return health.port();
  }

  /**
   * Stops reconciling (in-flight reconciles finish within JOSDK's termination timeout), then the
   * server.
   */
  @Override
  public void close() {
    try {
      operator.stop();
    } finally {
      health.close();
    }
  }
}
