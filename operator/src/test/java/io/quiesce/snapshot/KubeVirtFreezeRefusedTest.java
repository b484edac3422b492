package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's freeze subresource is not served (the test API server answers 404, as in ScaleBench
 * when the operator falls back to KubeVirt): the operator's window ends at once with a {@code
 * FreezeFailed} record, and the snapshot reaches a terminal phase at once, never stays InProgress
 * with that record until its failureDeadline. The decision on a record the operator wrote itself
 * has no event to wake it (JOSDK filters the operator's own writes, and a refused Required freeze
 * creates no VolumeSnapshot), so the reconcile that writes it looks again at once.
 */
@KubeApiTest
class KubeVirtFreezeRefusedTest {
  /** A timed requeue far apart: what ends the snapshot in time is not a backstop look. */
  private static final Duration SLOW_REQUEUE = Duration.ofSeconds(30);

  /** Well inside {@link #SLOW_REQUEUE}, and long enough on a loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(25);

  private static SnapshotSettings slowBackstops() {
    return new SnapshotSettings(
        10,
        2,
        QuiesceChannel.AUTO,
        OPERATOR_NAMESPACE,
        SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
        SLOW_REQUEUE,
        Clock.systemUTC());
  }

  @Test
  void aRefusedKubeVirtFreezeFailsARequiredSnapshotWithTheFreezesReason(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kv-404");
    Fixtures.runningVm(ns, "db").onNode("node-without-helper").create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, slowBackstops(), new SimpleMeterRegistry())) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "1h")).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Failed, WAIT);

      assertThat(done.getStatus().getFreeze().getMethod()).isEqualTo(FreezeMethod.KUBEVIRT_API);
      assertThat(done.getStatus().getFreeze().getReason()).isEqualTo("FreezeFailed");
      assertThat(done.getStatus().getMessage()).contains("FreezeFailed").contains("404");
    }
  }

  @Test
  void aRefusedKubeVirtFreezeLeavesABestEffortSnapshotCrashConsistent(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kv-404-be");
    Fixtures.runningVm(ns, "db").onNode("node-without-helper").create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, slowBackstops(), new SimpleMeterRegistry())) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.BestEffort, "1h")).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WAIT);

      assertThat(done.getStatus().getFreeze().getReason()).isEqualTo("FreezeFailed");
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("FreezeFailed");
    }
  }

  /** Whatever its decision waits for, a started snapshot is looked at again within a bound. */
  @Test
  void anInProgressSnapshotIsRequeuedWithinTheBackstopNotAtItsDeadline(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kv-look");
    Fixtures.runningVm(ns, "db").create(client);
    try (FakeNodeHelper helper =
        FakeNodeHelper.start(
            server.newClient(),
            Behaviour.NEVER_ANSWERS,
            OPERATOR_NAMESPACE,
            Fixtures.DEFAULT_NODE)) {
      SnapshotSettings settings = SnapshotTestSupport.settings(1, 1, QuiesceChannel.AUTO);
      QuiescedSnapshotReconciler reconciler =
          SnapshotTestSupport.reconciler(server.newClient(), settings, new SimpleMeterRegistry());
      reconciler.readFrom(new LiveReads(client, OPERATOR_NAMESPACE));
      QuiescedSnapshot s0 =
          client.resource(snapshot(ns, "a", "db", QuiesceMode.Required, "1h")).create();
      reconciler.reconcile(s0, FakeReconcileContext.of(client, s0, List.of(s0)));
      QuiescedSnapshot started =
          client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("a").get();
      assertThat(started.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);

      // waiting for a helper that never answers: the decision's own requeue is the deadline
      UpdateControl<QuiescedSnapshot> control =
          reconciler.reconcile(started, FakeReconcileContext.of(client, started, List.of(started)));

      assertThat(control.getScheduleDelay())
          .hasValueSatisfying(
              ms ->
                  assertThat(ms)
                      .isLessThanOrEqualTo(
                          QuiescedSnapshotReconciler.inProgressLook(settings).toMillis() + 50));
    }
  }
}
