package io.quiesce.snapshot;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.events.EventRecorder;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Shared setup of the snapshot reconciler tests: settings, operator start, CR builders, waits. */
final class SnapshotTestSupport {
  static final String OPERATOR_NAMESPACE = "quiesce-system";

  private SnapshotTestSupport() {}

  static SnapshotSettings settings(int clusterCap, int nodeCap, QuiesceChannel channel) {
    return new SnapshotSettings(
        clusterCap,
        nodeCap,
        channel,
        OPERATOR_NAMESPACE,
        SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
        Duration.ofMillis(200),
        Clock.systemUTC());
  }

  static QuiescedSnapshotReconciler reconciler(
      KubernetesClient client, SnapshotSettings settings, SimpleMeterRegistry registry) {
    return new QuiescedSnapshotReconciler(
        client,
        settings,
        new HttpKubeVirtFreezeApi(client, Duration.ofSeconds(5)),
        new EventRecorder(
            client,
            EventRecorder.Reporter.operator("test-operator"),
            Clock.systemUTC(),
            Runnable::run),
        new SnapshotMetrics(registry));
  }

  /** The operator as it runs in production: snapshots reach their reconcile uncopied. */
  static QuiesceTestOperator startOperator(
      KubeApiServer server, SnapshotSettings settings, SimpleMeterRegistry registry) {
    KubernetesClient client = server.newClient();
    return startOperator(
        client, settings, registry, new SnapshotCloner(client.getKubernetesSerialization()));
  }

  static QuiesceTestOperator startOperator(
      KubernetesClient client,
      SnapshotSettings settings,
      SimpleMeterRegistry registry,
      Cloner cloner) {
    return QuiesceTestOperator.start(
        client, o -> o.withResourceCloner(cloner), reconciler(client, settings, registry));
  }

  static QuiescedSnapshot snapshot(
      String ns, String name, String vm, QuiesceMode mode, String deadline) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setName(name);
    s.getMetadata().setNamespace(ns);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(vm);
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(mode);
    quiesce.setTimeout("2s");
    spec.setQuiesce(quiesce);
    spec.setFailureDeadline(deadline);
    s.setSpec(spec);
    return s;
  }

  static QuiescedSnapshot withPolicy(QuiescedSnapshot s, DeletionPolicy policy) {
    s.getSpec().setDeletionPolicy(policy);
    return s;
  }

  static QuiescedSnapshot awaitPhase(
      KubernetesClient client, String ns, String name, SnapshotPhase phase) {
    return awaitPhase(client, ns, name, phase, Duration.ofSeconds(20));
  }

  static QuiescedSnapshot awaitPhase(
      KubernetesClient client, String ns, String name, SnapshotPhase phase, Duration atMost) {
    return await()
        .atMost(atMost)
        .until(
            () -> client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get(),
            s -> s != null && s.getStatus() != null && s.getStatus().getPhase() == phase);
  }

  /** Waits until the namespace holds {@code count} QuiescedSnapshots, every one Succeeded. */
  static void awaitAllSucceeded(KubernetesClient client, String ns, int count, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems(),
            all ->
                all.size() == count
                    && all.stream()
                        .allMatch(
                            s ->
                                s.getStatus() != null
                                    && s.getStatus().getPhase() == SnapshotPhase.Succeeded));
  }

  static List<Event> events(KubernetesClient client, String ns, String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
