package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FakeAgentConnection;
import io.quiesce.agent.FakeQgaServer;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.status.BoundedText;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.window.GuestSocketDir;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.NodeHelper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A hostile guest: its FAKE agent (failure injection) answers the freeze with 500 KB of error text
 * full of control characters. The whole product (operator and node helper in one JVM) must still
 * finish the snapshot, and what it stores stays small.
 */
@KubeApiTest
class HostileAgentTextTest {
  private static final int ERROR_BYTES = 500_000;

  @Test
  void fiveHundredKilobytesOfAgentErrorTextFailTheSnapshotWithASmallStoredObject(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("hostile");
    try (GuestSocketDir sockets = GuestSocketDir.create();
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      VmScenario vm = Fixtures.runningVm(ns, "evil").create(client);
      Path podDir = Files.createDirectories(sockets.expectedSocket(vm).getParent());
      String huge = "\u001b[2J\r\n" + "A".repeat(ERROR_BYTES);
      try (FakeQgaServer agent =
              FakeQgaServer.start(podDir, c -> serveWithHugeFreezeError(c, huge));
          NodeHelper helper =
              NodeHelper.start(
                  server.newClient(),
                  new HelperSettings(
                      Fixtures.DEFAULT_NODE,
                      OPERATOR_NAMESPACE,
                      List.of(sockets.root()),
                      List.of(sockets.template()),
                      2,
                      Duration.ofSeconds(30),
                      null),
                  (ref, socket) -> new QgaClient(socket),
                  new SimpleMeterRegistry());
          QuiesceTestOperator op =
              startOperator(
                  server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
        client.resource(snapshot(ns, "evil-snap", "evil", QuiesceMode.Required, "1m")).create();

        QuiescedSnapshot failed = awaitPhase(client, ns, "evil-snap", SnapshotPhase.Failed);

        int stored = Serialization.asJson(failed).getBytes(StandardCharsets.UTF_8).length;
        System.out.printf(
            "[figure] hostile agent: %d bytes of error text, stored object %d bytes%n",
            huge.length(), stored);
        assertThat(stored).as("stored object size in bytes").isLessThan(16 * 1024);
        String error = failed.getStatus().getFreeze().getError();
        assertThat(error)
            .contains("AAAA")
            .endsWith("[truncated]")
            .doesNotContain("\u001b", "\r", "\n");
        assertThat(error.codePointCount(0, error.length()))
            .isLessThanOrEqualTo(BoundedText.MAX_ERROR);
        assertThat(failed.getStatus().getConditions())
            .extracting(Condition::getMessage)
            .allSatisfy(m -> assertThat(m.length()).isLessThanOrEqualTo(BoundedText.MAX_MESSAGE));
        assertThat(SnapshotTestSupport.events(client, ns, "evil-snap"))
            .allSatisfy(e -> assertThat(e.getMessage().length()).isLessThanOrEqualTo(1024));
      }
    }
  }

  /** A working agent but for the freeze, which it refuses with {@code desc}. */
  private static void serveWithHugeFreezeError(FakeAgentConnection c, String desc)
      throws Exception {
    while (true) {
      FakeAgentConnection.Request r = c.readRequest();
      switch (r.command()) {
        case "guest-sync-delimited" -> {
          if (r.delimited()) {
            c.writeLine(FakeAgentConnection.PARSE_ERROR_REPLY);
          }
          c.writeDelimitedReturn(r.arguments().path("id").asLong());
        }
        case "guest-ping" -> c.replyReturn(r, "{}");
        case "guest-fsfreeze-status" -> c.replyReturn(r, "\"thawed\"");
        case "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list" ->
            c.replyError(r, "GenericError", desc);
        case "guest-fsfreeze-thaw" -> c.replyReturn(r, "0");
        default ->
            c.replyError(
                r, "CommandNotFound", "The command " + r.command() + " has not been found");
      }
    }
  }
}
