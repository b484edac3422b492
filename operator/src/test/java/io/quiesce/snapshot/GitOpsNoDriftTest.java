package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Argo CD and Flux compare what is in Git with what is in the cluster: the operator must not
 * rewrite what a user manages. It may add status, its own {@code quiesce.io/}-prefixed labels and
 * annotations (fields no Git manifest sets, which neither tool reports as drift) and its finalizer,
 * and nothing else.
 */
@KubeApiTest
class GitOpsNoDriftTest {

  @Test
  void reconcilingChangesNoUserManagedField(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("gitops");
    Fixtures.runningVm(ns, "db").create(client);
    QuiescedSnapshot fromGit = snapshot(ns, "from-git", "db", QuiesceMode.BestEffort, "60s");
    fromGit
        .getMetadata()
        .setLabels(Map.of("team", "storage", "app.kubernetes.io/part-of", "billing"));
    fromGit
        .getMetadata()
        .setAnnotations(
            Map.of(
                "argocd.argoproj.io/tracking-id",
                "billing:quiesce.io/QuiescedSnapshot:gitops/from-git",
                "note",
                "before the upgrade"));
    QuiescedSnapshot applied = client.resource(fromGit).create();
    JsonNode specBefore = Serialization.jsonMapper().valueToTree(applied.getSpec());

    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server);
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      QuiescedSnapshot live = awaitPhase(client, ns, "from-git", SnapshotPhase.Succeeded);

      assertThat(Serialization.jsonMapper().<JsonNode>valueToTree(live.getSpec()))
          .isEqualTo(specBefore);
      assertThat(live.getMetadata().getGeneration())
          .isEqualTo(applied.getMetadata().getGeneration());
      Map<String, String> annotated = new HashMap<>(live.getMetadata().getAnnotations());
      applied
          .getMetadata()
          .getAnnotations()
          .forEach(
              (k, v) -> assertThat(annotated.remove(k)).as("user annotation %s", k).isEqualTo(v));
      assertThat(annotated.keySet())
          .as("annotations the operator added")
          .allMatch(k -> k.startsWith("quiesce.io/"));
      Map<String, String> added = new HashMap<>(live.getMetadata().getLabels());
      applied
          .getMetadata()
          .getLabels()
          .forEach((k, v) -> assertThat(added.remove(k)).as("user label %s", k).isEqualTo(v));
      assertThat(added.keySet())
          .as("labels the operator added")
          .allMatch(k -> k.startsWith("quiesce.io/"));
      assertThat(live.getMetadata().getFinalizers())
          .containsExactly(QuiescedSnapshotReconciler.FINALIZER);
      assertThat(live.getMetadata().getOwnerReferences()).isNullOrEmpty();
    }
  }
}
