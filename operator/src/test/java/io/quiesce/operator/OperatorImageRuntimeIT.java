package io.quiesce.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiesce.testkit.image.DockerfileFacts;
import io.quiesce.testkit.image.EcTlsServer;
import io.quiesce.testkit.image.ImageFiles;
import io.quiesce.testkit.image.JlinkRuntime;
import io.quiesce.testkit.image.RuntimeProcess;
import io.quiesce.testkit.image.TlsProbe;
import io.quiesce.testkit.kube.KubeApiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator image's Java runtime, made here with the jlink module list of operator/Dockerfile
 * (read from it), runs the shaded operator.jar with the chart's default jvmFlags: it connects to
 * the test kit's API server over HTTPS, reaches /readyz, logs JSON lines (its own, fabric8's and
 * JOSDK's) and stops on SIGTERM. A TLS handshake against an ECDSA server works on it too.
 */
class OperatorImageRuntimeIT {
  private static final Path TARGET = ImageFiles.projectRoot().resolve("operator/target");
  private static JlinkRuntime runtime;

  @BeforeAll
  static void runtime() {
    runtime = JlinkRuntime.of(ImageFiles.dockerfile("operator"), TARGET.resolve("image-runtime"));
  }

  @Test
  void theRuntimeHasExactlyTheDockerfilesModules() {
    DockerfileFacts dockerfile = ImageFiles.dockerfile("operator");
    assertThat(runtime.modules())
        .containsExactlyInAnyOrderElementsOf(withRequiredBy(dockerfile.jlinkModules()))
        .contains("jdk.crypto.ec")
        .doesNotContain("jdk.compiler", "java.scripting");
  }

  @Test
  void theModuleListHasEverythingJdepsFindsInTheJar() {
    assertThat(ImageFiles.dockerfile("operator").jlinkModules())
        .containsAll(JlinkRuntime.jdepsModules(ImageFiles.shadedJar("operator")));
  }

  @Test
  void theJarRunsOnItWithTheChartsFlagsOverHttpsUntilReadyAndStopsOnSigterm() throws Exception {
    int port = freePort();
    try (KubeApiServer api = KubeApiServer.startHttps()) {
      String ns = api.createNamespace("quiesce-system");
      assertThat(api.url("/")).startsWith("https://");
      List<String> args = new ArrayList<>(ImageFiles.chartJvmFlags("operator"));
      args.addAll(
          List.of(
              "-Dkubernetes.master=" + api.url("/"),
              "-Dkubernetes.trust.certificates=true",
              "-Dkubernetes.auth.tryKubeConfig=false",
              "-Dkubernetes.auth.tryServiceAccount=false",
              "-jar",
              ImageFiles.shadedJar("operator").toString(),
              "run"));
      Map<String, String> env =
          Map.of(
              "POD_NAMESPACE",
              ns,
              "POD_NAME",
              "quiesce-operator-0",
              "QUIESCE_LEADER_ELECTION",
              "true",
              "QUIESCE_HEALTH_ADDRESS",
              "127.0.0.1:" + port,
              "QUIESCE_LOG_FORMAT",
              "json",
              "QUIESCE_LOG_LEVEL",
              "info");
      try (RuntimeProcess operator =
          RuntimeProcess.start(
              runtime, args, env, TARGET.resolve("image-runtime/operator-run.log"))) {
        await("/readyz of the operator on the image runtime")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250))
            .failFast("the operator exited: " + operator.output(), () -> !operator.isAlive())
            .until(() -> RuntimeProcess.httpStatus(port, "/readyz") == 200);
        assertThat(RuntimeProcess.httpStatus(port, "/metrics")).isEqualTo(200);

        List<JsonNode> lines = operator.jsonLines();
        assertThat(lines)
            .isNotEmpty()
            .allSatisfy(
                line ->
                    assertThat(
                            line.has("ts")
                                && line.has("level")
                                && line.has("logger")
                                && line.has("msg"))
                        .isTrue());
        assertThat(lines)
            .extracting(line -> line.path("logger").asText())
            .anyMatch(logger -> logger.startsWith("io.javaoperatorsdk."))
            .noneMatch(logger -> logger.isEmpty());
        assertThat(lines).noneMatch(line -> line.path("level").asText().equals("ERROR"));

        operator.terminate(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void aBadLogSettingStopsTheStartNamingTheVariable() {
    List<String> args = List.of("-jar", ImageFiles.shadedJar("operator").toString(), "run");
    try (RuntimeProcess operator =
        RuntimeProcess.start(
            runtime,
            args,
            Map.of("QUIESCE_LOG_FORMAT", "xml"),
            TARGET.resolve("image-runtime/operator-bad-env.log"))) {
      assertThat(operator.await(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(operator.output())
          .isEqualTo("quiesce operator: QUIESCE_LOG_FORMAT: 'xml' is not one of text, json\n");
    }
  }

  @Test
  void tlsWithAnEcdsaServerWorksOnIt() {
    Path keys = TARGET.resolve("image-runtime/tls");
    try (EcTlsServer server = EcTlsServer.start(keys);
        RuntimeProcess probe =
            RuntimeProcess.start(
                runtime,
                List.of(
                    "-cp",
                    testKitLocation(),
                    TlsProbe.class.getName(),
                    String.valueOf(server.port()),
                    EcTlsServer.trustStore(keys).toString()),
                Map.of(),
                TARGET.resolve("image-runtime/tls-probe.log"))) {
      assertThat(probe.await(Duration.ofSeconds(60))).as(probe.output()).isZero();
      assertThat(probe.output()).startsWith("TLSv1.3 TLS_").contains(" EC ok SunEC=true");
    }
  }

  /** jlink adds the modules the listed ones require; the release file names them all. */
  private static List<String> withRequiredBy(List<String> listed) {
    return java.lang.module.Configuration.empty()
        .resolve(
            java.lang.module.ModuleFinder.ofSystem(), java.lang.module.ModuleFinder.of(), listed)
        .modules()
        .stream()
        .map(java.lang.module.ResolvedModule::name)
        .toList();
  }

  private static String testKitLocation() {
    try {
      return Path.of(TlsProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
