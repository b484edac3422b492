package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.image.ImageFiles;
import io.quiesce.testkit.image.JlinkRuntime;
import io.quiesce.testkit.image.RuntimeProcess;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node helper image's Java runtime, made here with the jlink module list of
 * node-helper/Dockerfile (read from it), runs the shaded node-helper.jar with the chart's default
 * jvmFlags: the agent command line freezes and thaws the real guest through junixsocket's native
 * library, and {@code run} reaches /readyz against the test kit's API server over HTTPS, logging
 * JSON lines, and stops on SIGTERM.
 */
@RealGuest
class HelperImageRuntimeIT {
  private static final Path TARGET = ImageFiles.projectRoot().resolve("node-helper/target");
  private static JlinkRuntime runtime;

  @BeforeAll
  static void runtime() {
    runtime =
        JlinkRuntime.of(ImageFiles.dockerfile("node-helper"), TARGET.resolve("image-runtime"));
  }

  private static RuntimeProcess agentCommand(String name, String... args) {
    List<String> command = new ArrayList<>(ImageFiles.chartJvmFlags("nodeHelper"));
    command.addAll(List.of("-jar", ImageFiles.shadedJar("node-helper").toString(), "agent"));
    command.addAll(List.of(args));
    return RuntimeProcess.start(
        runtime, command, Map.of(), TARGET.resolve("image-runtime/agent-" + name + ".log"));
  }

  @Test
  void theModuleListHasEverythingJdepsFindsInTheJar() {
    assertThat(ImageFiles.dockerfile("node-helper").jlinkModules())
        .containsAll(JlinkRuntime.jdepsModules(ImageFiles.shadedJar("node-helper")));
  }

  @Test
  void theAgentCommandLineFreezesAndThawsTheRealGuestOnIt(GuestVm guest) {
    String socket = guest.agentSocket().toString();
    try (RuntimeProcess fsinfo = agentCommand("fsinfo", "fsinfo", "--socket", socket)) {
      assertThat(fsinfo.await(Duration.ofSeconds(60))).as(fsinfo.output()).isZero();
      assertThat(fsinfo.output()).contains("/data", "ext4");
    }
    try {
      try (RuntimeProcess freeze =
          agentCommand("freeze", "freeze", "--socket", socket, "--timeout", "10s")) {
        assertThat(freeze.await(Duration.ofSeconds(60))).as(freeze.output()).isZero();
        assertThat(freeze.output()).startsWith("frozen ").contains("filesystem(s)");
      }
      try (RuntimeProcess thaw =
          agentCommand("thaw", "thaw", "--socket", socket, "--timeout", "10s")) {
        assertThat(thaw.await(Duration.ofSeconds(60))).as(thaw.output()).isZero();
        assertThat(thaw.output()).startsWith("thawed ");
      }
    } finally {
      guest.ensureThawed(Duration.ofSeconds(30));
    }
  }

  @Test
  void runReachesReadyzOverHttpsWithJsonLogsAndStopsOnSigterm() throws Exception {
    int port = freePort();
    Path sockets = Files.createDirectories(TARGET.resolve("image-runtime/sockets"));
    try (KubeApiServer api = KubeApiServer.startHttps()) {
      String ns = api.createNamespace("quiesce-system");
      List<String> args = new ArrayList<>(ImageFiles.chartJvmFlags("nodeHelper"));
      args.addAll(
          List.of(
              "-Dkubernetes.master=" + api.url("/"),
              "-Dkubernetes.trust.certificates=true",
              "-Dkubernetes.auth.tryKubeConfig=false",
              "-Dkubernetes.auth.tryServiceAccount=false",
              "-jar",
              ImageFiles.shadedJar("node-helper").toString(),
              "run"));
      Map<String, String> env =
          Map.of(
              "NODE_NAME",
              Fixtures.DEFAULT_NODE,
              "POD_NAMESPACE",
              ns,
              "QUIESCE_SOCKET_ROOTS",
              sockets.toString(),
              "QUIESCE_SOCKET_TEMPLATES",
              sockets + "/{podUID}/qga.sock",
              "QUIESCE_HEALTH_ADDRESS",
              "127.0.0.1:" + port,
              "QUIESCE_LOG_FORMAT",
              "json",
              "QUIESCE_JOURNAL_DIR",
              sockets.resolveSibling(sockets.getFileName() + "-journal").toString());
      try (RuntimeProcess helper =
          RuntimeProcess.start(
              runtime, args, env, TARGET.resolve("image-runtime/helper-run.log"))) {
        await("/readyz of the helper on the image runtime")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250))
            .failFast("the helper exited: " + helper.output(), () -> !helper.isAlive())
            .until(() -> RuntimeProcess.httpStatus(port, "/readyz") == 200);
        assertThat(RuntimeProcess.httpStatus(port, "/metrics")).isEqualTo(200);

        assertThat(helper.terminate(Duration.ofSeconds(30))).as("exit on SIGTERM").isIn(0, 143);
        List<JsonNode> lines = helper.jsonLines();
        assertThat(lines)
            .extracting(line -> line.path("msg").asText())
            .anyMatch(msg -> msg.startsWith("node helper serving node " + Fixtures.DEFAULT_NODE))
            .anyMatch(msg -> msg.startsWith("stopping: ending freeze windows"));
        assertThat(lines)
            .allSatisfy(
                line ->
                    assertThat(line.path("ts").asText())
                        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
