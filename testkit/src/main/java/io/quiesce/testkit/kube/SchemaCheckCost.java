package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;

/**
 * Measures what the schema and CEL checks cost per custom-resource write on the test API server:
 * creates N QuiescedSnapshots and writes each one's status once, then prints the checks' count and
 * mean time (after a warm-up of the same size). Not a test: run it by hand, {@code java -cp <crds
 * test classpath> io.quiesce.testkit.kube.SchemaCheckCost [N]}.
 */
public final class SchemaCheckCost {
  private SchemaCheckCost() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    try (KubeApiServer server = KubeApiServer.start()) {
      KubernetesClient client = server.client();
      writes(server, client, server.createNamespace("warmup"), n);
      long[] before = server.schemaChecks();
      long start = System.nanoTime();
      writes(server, client, server.createNamespace("measured"), n);
      long wall = System.nanoTime() - start;
      long[] after = server.schemaChecks();
      long checks = after[0] - before[0];
      System.out.printf(
          "%d custom-resource writes: schema+CEL checks %.3f ms each (%.1f%% of the %.2f ms per"
              + " write through the client)%n",
          checks,
          (after[1] - before[1]) / 1e6 / checks,
          100.0 * (after[1] - before[1]) / wall,
          wall / 1e6 / checks);
    }
  }

  private static void writes(KubeApiServer server, KubernetesClient client, String ns, int n) {
    for (int i = 0; i < n; i++) {
      QuiescedSnapshot snapshot = new QuiescedSnapshot();
      snapshot.getMetadata().setName("s-" + i);
      snapshot.getMetadata().setNamespace(ns);
      snapshot.setSpec(new QuiescedSnapshotSpec());
      snapshot.getSpec().setSource("vm-" + i);
      QuiescedSnapshot created = client.resource(snapshot).create();
      QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
      status.setPhase(SnapshotPhase.InProgress);
      created.setStatus(status);
      client.resource(created).updateStatus();
    }
  }
}
