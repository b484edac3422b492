package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.runtime.logging.CapturedLogs;
import io.quiesce.runtime.logging.LogFormat;
import io.quiesce.runtime.logging.LogSettings;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reconcile's log lines name the snapshot: JOSDK puts resource.kind/namespace/name in the MDC,
 * and the JSON lines carry them as top-level fields (the node helper uses the same keys).
 */
@KubeApiTest
class ReconcileLogContextTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void phaseChangeLinesCarryTheSnapshotsNamespaceAndName(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("logged");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (CapturedLogs logs = CapturedLogs.start(LogSettings.of(LogFormat.JSON, Level.INFO));
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      client.resource(snapshot(ns, "nightly-1", "db", QuiesceMode.Required, "30s")).create();
      awaitPhase(client, ns, "nightly-1", SnapshotPhase.Succeeded);

      List<JsonNode> phases =
          await()
              .atMost(Duration.ofSeconds(5))
              .until(
                  () ->
                      json(logs).stream()
                          .filter(
                              l ->
                                  l.path("logger")
                                          .asText()
                                          .equals(QuiescedSnapshotReconciler.class.getName())
                                      && l.path("msg").asText().startsWith("phase "))
                          .toList(),
                  lines ->
                      lines.stream()
                          .anyMatch(l -> l.path("msg").asText().contains("-> Succeeded")));

      assertThat(phases)
          .allSatisfy(
              line -> {
                assertThat(line.path("level").asText()).isEqualTo("INFO");
                assertThat(line.path("resource.namespace").asText()).isEqualTo(ns);
                assertThat(line.path("resource.name").asText()).isEqualTo("nightly-1");
                assertThat(line.path("resource.kind").asText()).isEqualTo("QuiescedSnapshot");
              });
      assertThat(phases.get(phases.size() - 1).path("msg").asText())
          .contains("-> Succeeded (FilesystemConsistent, VirtualMachineStopped)");
    }
  }

  private static List<JsonNode> json(CapturedLogs logs) {
    return logs.lines().stream()
        .map(
            line -> {
              try {
                return MAPPER.readTree(line);
              } catch (IOException e) {
                throw new UncheckedIOException("not one JSON object per line: " + line, e);
              }
            })
        .toList();
  }
}
