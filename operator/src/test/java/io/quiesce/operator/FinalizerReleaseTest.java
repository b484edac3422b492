package io.quiesce.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.InPlaceTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.RestoreTarget;
import io.quiesce.restore.QuiescedSnapshotRestoreReconciler;
import io.quiesce.snapshot.QuiescedSnapshotReconciler;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code finalizers release}: what the uninstall Job runs. */
@KubeApiTest
class FinalizerReleaseTest {

  @Test
  void removesOnlyTheOperatorsFinalizerInTheNamespacesAsked(
      KubeApiServer server, KubernetesClient client) {
    String watched = server.createNamespace("watched");
    String other = server.createNamespace("other");
    create(client, watched, "a", List.of(QuiescedSnapshotReconciler.FINALIZER, "example.com/keep"));
    create(client, watched, "b", List.of(QuiescedSnapshotReconciler.FINALIZER));
    create(client, other, "c", List.of(QuiescedSnapshotReconciler.FINALIZER));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int released =
        new FinalizerRelease(client, new PrintStream(out, true, StandardCharsets.UTF_8))
            .release(Set.of(watched));

    assertThat(released).isEqualTo(2);
    assertThat(finalizers(client, watched, "a")).containsExactly("example.com/keep");
    assertThat(finalizers(client, watched, "b")).isNullOrEmpty();
    assertThat(finalizers(client, other, "c"))
        .containsExactly(QuiescedSnapshotReconciler.FINALIZER);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("2 QuiescedSnapshot(s) released");
  }

  @Test
  void alsoReleasesRestoresAndTheHoldARestoreHasOnItsSource(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("restoring");
    create(
        client,
        ns,
        "held",
        List.of(
            QuiescedSnapshotReconciler.FINALIZER,
            "example.com/keep",
            QuiescedSnapshotRestore.SOURCE_FINALIZER));
    QuiescedSnapshotRestore restore = new QuiescedSnapshotRestore();
    restore.getMetadata().setNamespace(ns);
    restore.getMetadata().setName("r");
    restore.getMetadata().setFinalizers(List.of(QuiescedSnapshotRestoreReconciler.FINALIZER));
    QuiescedSnapshotRestoreSpec spec = new QuiescedSnapshotRestoreSpec();
    spec.setSource("held");
    RestoreTarget target = new RestoreTarget();
    target.setInPlace(new InPlaceTarget());
    spec.setTarget(target);
    restore.setSpec(spec);
    client.resource(restore).create();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int released =
        new FinalizerRelease(client, new PrintStream(out, true, StandardCharsets.UTF_8))
            .release(Set.of(ns));

    assertThat(released).isEqualTo(2);
    assertThat(finalizers(client, ns, "held")).containsExactly("example.com/keep");
    assertThat(
            client
                .resources(QuiescedSnapshotRestore.class)
                .inNamespace(ns)
                .withName("r")
                .get()
                .getMetadata()
                .getFinalizers())
        .isNullOrEmpty();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("1 QuiescedSnapshotRestore(s) released");
  }

  private static void create(
      KubernetesClient client, String ns, String name, List<String> finalizers) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setNamespace(ns);
    s.getMetadata().setName(name);
    s.getMetadata().setFinalizers(finalizers);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("vm");
    s.setSpec(spec);
    client.resource(s).create();
  }

  private static List<String> finalizers(KubernetesClient client, String ns, String name) {
    return client
        .resources(QuiescedSnapshot.class)
        .inNamespace(ns)
        .withName(name)
        .get()
        .getMetadata()
        .getFinalizers();
  }
}
