package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.runtime.logging.CapturedLogs;
import io.quiesce.runtime.logging.LogFormat;
import io.quiesce.runtime.logging.LogSettings;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node helper's log lines about a snapshot's window, the freeze engine's agent calls included,
 * carry the snapshot under the operator's MDC keys (resource.kind/namespace/name), so one query
 * finds a snapshot's lines in both components. FAKE agent: the subject is the log context.
 */
@KubeApiTest
class WindowLogContextTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void windowAndAgentCallLinesNameTheSnapshot(KubeApiServer server, KubernetesClient client)
      throws Exception {
    String ns = server.createNamespace("logged");
    try (CapturedLogs logs = CapturedLogs.start(LogSettings.of(LogFormat.JSON, Level.INFO));
        FakeAgentNode node = new FakeAgentNode();
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      VmScenario vm = node.vm(client, ns, "db");
      QuiescedSnapshot snapshot =
          AssignedSnapshots.assign(client, vm, "nightly-1", QuiesceMode.Required, "5s", false);

      try (NodeHelper helper =
          node.start(server.newClient(), node.settings(ns, 2, Duration.ofSeconds(30)))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  QuiescedSnapshot live = AssignedSnapshots.get(client, snapshot);
                  return live.getStatus() != null && live.getStatus().getFreeze() != null;
                });
        List<JsonNode> lines =
            await()
                .atMost(Duration.ofSeconds(5))
                .until(
                    () -> json(logs),
                    all ->
                        all.stream()
                            .anyMatch(
                                l ->
                                    l.path("logger")
                                        .asText()
                                        .equals(FreezeWindowRunner.class.getName())));

        List<JsonNode> aboutWindow =
            lines.stream()
                .filter(
                    l ->
                        List.of(FreezeWindowRunner.class.getName(), FreezeEngine.class.getName())
                                .contains(l.path("logger").asText())
                            && l.path("msg")
                                .asText()
                                .matches("(?s).*(froze|thawed \\(by|nightly-1).*"))
                .toList();
        assertThat(aboutWindow)
            .as(
                "the engine's freeze and thaw lines (the thaw runs on an engine worker)"
                    + " and the window's record line")
            .hasSize(3);
        assertThat(aboutWindow)
            .allSatisfy(
                line -> {
                  assertThat(line.path("resource.namespace").asText()).isEqualTo(ns);
                  assertThat(line.path("resource.name").asText()).isEqualTo("nightly-1");
                  assertThat(line.path("resource.kind").asText()).isEqualTo("QuiescedSnapshot");
                });
        assertThat(lines)
            .filteredOn(l -> l.path("msg").asText().startsWith("node helper serving"))
            .allSatisfy(l -> assertThat(l.has("resource.name")).isFalse());
      }
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
