package io.quiesce.testkit.kube.josdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A JOSDK 5 operator runs against the test API server with JOSDK's defaults (server-side apply for
 * the finalizer and the status): reconcile is called, the finalizer is added, status lands on the
 * status subresource, and delete runs cleanup and removes the object.
 */
@KubeApiTest
class QuiesceTestOperatorTest {

  @Test
  void reconcilesAddsFinalizerPatchesStatusAndCleansUp(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("josdk");
    PhaseSettingReconciler reconciler = new PhaseSettingReconciler();
    try (QuiesceTestOperator operator = QuiesceTestOperator.start(server.newClient(), reconciler)) {
      client.resource(snapshot(ns, "snap-1")).create();
      Resource<QuiescedSnapshot> live =
          client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("snap-1");

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                QuiescedSnapshot current = live.get();
                assertThat(current.getMetadata().getFinalizers()).containsExactly(FINALIZER);
                assertThat(current.getStatus()).isNotNull();
                assertThat(current.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);
                assertThat(current.getStatus().getConditions())
                    .extracting(Condition::getType, Condition::getStatus)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("Progressing", "True"));
              });
      QuiescedSnapshot reconciled = live.get();
      assertThat(reconciler.reconciles.get()).isPositive();
      // the status write went to the status subresource: spec untouched, generation unmoved
      assertThat(reconciled.getSpec().getSource()).isEqualTo("vm-a");
      assertThat(reconciled.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(reconciled.getStatus().getObservedGeneration()).isEqualTo(1L);

      live.delete();

      await().atMost(Duration.ofSeconds(20)).until(() -> live.get() == null);
      assertThat(reconciler.cleanups.get()).isEqualTo(1);
    }
  }

  private static final String FINALIZER = "quiescedsnapshots.quiesce.io/finalizer";

  private static QuiescedSnapshot snapshot(String ns, String name) {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.getMetadata().setName(name);
    snapshot.getMetadata().setNamespace(ns);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("vm-a");
    snapshot.setSpec(spec);
    return snapshot;
  }

  /** Test-only reconciler: marks every snapshot InProgress with a Progressing condition. */
  static final class PhaseSettingReconciler
      implements Reconciler<QuiescedSnapshot>, Cleaner<QuiescedSnapshot> {
    final AtomicInteger reconciles = new AtomicInteger();
    final AtomicInteger cleanups = new AtomicInteger();

    @Override
    public UpdateControl<QuiescedSnapshot> reconcile(
        QuiescedSnapshot resource, Context<QuiescedSnapshot> context) {
      reconciles.incrementAndGet();
      long generation = resource.getMetadata().getGeneration();
      QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
      status.setPhase(SnapshotPhase.InProgress);
      status.setObservedGeneration(generation);
      status.setConditions(
          List.of(
              new ConditionBuilder()
                  .withType("Progressing")
                  .withStatus("True")
                  .withReason("Reconciled")
                  .withMessage("seen by the test reconciler")
                  .withObservedGeneration(generation)
                  .withLastTransitionTime("2024-01-01T00:00:00Z")
                  .build()));
      resource.setStatus(status);
      return UpdateControl.patchStatus(resource);
    }

    @Override
    public DeleteControl cleanup(QuiescedSnapshot resource, Context<QuiescedSnapshot> context) {
      cleanups.incrementAndGet();
      return DeleteControl.defaultDelete();
    }
  }
}
