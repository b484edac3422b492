package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SnapshotCloner} hands the cached QuiescedSnapshot itself to each reconcile: this holds
 * only while no reconcile changes it (the cache would then hold what the API server never stored).
 * Every path a snapshot takes here (queued for a slot, assigned, frozen by the helper, cut,
 * succeeded; a stopped VM cut without a freeze; bad input failed; a group failed through KubeVirt;
 * a deletion) is reconciled with the production cloner, and each object handed over uncopied must
 * still read as it did when it was handed over.
 */
@KubeApiTest
class UnclonedSnapshotsTest {

  @Test
  void noReconcileChangesTheCachedSnapshotItIsHanded(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("uncloned");
    Fixtures.runningVm(ns, "db").create(client);
    Fixtures.runningVm(ns, "app").create(client);
    Fixtures.runningVm(ns, "off").stopped().create(client);
    KubernetesClient operatorClient = server.newClient();
    Witness witness = new Witness(operatorClient.getKubernetesSerialization());
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server);
        // one slot: the second snapshot waits for the first one's
        QuiesceTestOperator op =
            startOperator(
                operatorClient,
                settings(1, 1, QuiesceChannel.AUTO),
                new SimpleMeterRegistry(),
                witness)) {
      client.resource(snapshot(ns, "first", "db", QuiesceMode.Required, "30s")).create();
      client.resource(snapshot(ns, "second", "app", QuiesceMode.Required, "30s")).create();
      client.resource(snapshot(ns, "stopped", "off", QuiesceMode.Required, "30s")).create();
      client.resource(snapshot(ns, "ghost", "nosuchvm", QuiesceMode.Required, "30s")).create();
      QuiescedSnapshot group = snapshot(ns, "group", "db", QuiesceMode.Required, "30s");
      group.getSpec().setSource(null);
      SnapshotSources sources = new SnapshotSources();
      sources.setVms(List.of("app", "db"));
      group.getSpec().setSources(sources);
      client.resource(group).create();

      awaitPhase(client, ns, "first", SnapshotPhase.Succeeded);
      awaitPhase(client, ns, "second", SnapshotPhase.Succeeded);
      awaitPhase(client, ns, "stopped", SnapshotPhase.Succeeded);
      awaitPhase(client, ns, "ghost", SnapshotPhase.Failed);
      awaitPhase(client, ns, "group", SnapshotPhase.Failed);
      client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("first").delete();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("first").get()
                      == null);

      // a reconcile per step at least: pending, assigned, frozen, cut, ready of two snapshots
      assertThat(witness.handedOver()).hasSizeGreaterThan(10);
      assertThat(witness.handedOver())
          .allSatisfy(h -> assertThat(witness.json(h.object())).isEqualTo(h.json()));
    }
  }

  /**
   * The production cloner, remembering each snapshot it hands over uncopied with its JSON form at
   * that moment.
   */
  private static final class Witness implements Cloner {
    private final KubernetesSerialization serialization;
    private final SnapshotCloner cloner;
    private final List<HandedOver> handedOver = new ArrayList<>();

    Witness(KubernetesSerialization serialization) {
      this.serialization = serialization;
      this.cloner = new SnapshotCloner(serialization);
    }

    record HandedOver(HasMetadata object, String json) {}

    @Override
    public <R extends HasMetadata> R clone(R object) {
      R handed = cloner.clone(object);
      if (handed == object) {
        synchronized (handedOver) {
          handedOver.add(new HandedOver(object, json(object)));
        }
      }
      return handed;
    }

    List<HandedOver> handedOver() {
      synchronized (handedOver) {
        return List.copyOf(handedOver);
      }
    }

    String json(HasMetadata object) {
      return serialization.asJson(object);
    }
  }
}
