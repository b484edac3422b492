package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;

/** The snapshot tests' setup, for tests of other packages that need real snapshots (restores). */
public final class SnapshotTestAccess {
  private SnapshotTestAccess() {}

  /** A snapshot reconciler with the snapshot tests' settings (200 ms requeue), on this client. */
  public static QuiescedSnapshotReconciler snapshotReconciler(KubernetesClient client) {
    return SnapshotTestSupport.reconciler(
        client,
        SnapshotTestSupport.settings(10, 2, QuiesceChannel.AUTO),
        new SimpleMeterRegistry());
  }

  public static QuiesceTestOperator startSnapshotOperator(KubeApiServer server) {
    KubernetesClient client = server.newClient();
    return QuiesceTestOperator.start(client, snapshotReconciler(client));
  }

  /** A Required snapshot with a 2 s freeze timeout and a 30 s deadline. */
  public static QuiescedSnapshot stoppedVmSnapshot(String ns, String name, String vm) {
    return SnapshotTestSupport.snapshot(ns, name, vm, QuiesceMode.Required, "30s");
  }

  public static QuiescedSnapshot awaitPhase(
      KubernetesClient client, String ns, String name, SnapshotPhase phase) {
    return SnapshotTestSupport.awaitPhase(client, ns, name, phase);
  }

  /** The snapshot tests' namespace of the operator (the helpers' heartbeat Leases live there). */
  public static String operatorNamespace() {
    return SnapshotTestSupport.OPERATOR_NAMESPACE;
  }
}
