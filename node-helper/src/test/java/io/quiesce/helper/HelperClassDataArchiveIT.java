package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiesce.testkit.image.ImageFiles;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node helper image's class-data archive, made as node-helper/Dockerfile makes it (a static
 * dump of the committed class list, on the shaded jar, with the chart's flags), is used by {@code
 * run} with the chart's flags: the classes that only an answering API server makes it load come
 * from the archive, not the jar, with a JFR recording on (the class-file load hook). It reaches no
 * agent, so it does not guard the crash that {@code @lambda-form-invoker} lines caused in the
 * survey's worker with JFR on ({@code HelperClassListTest} keeps them out).
 */
class HelperClassDataArchiveIT {
  private static final Path TARGET = ImageFiles.projectRoot().resolve("node-helper/target");
  private static final Path WORK = TARGET.resolve("cds-archive-it");
  private static final String ARCHIVE_FLAG = "-XX:SharedArchiveFile=";
  private static final List<String> MODULE_FLAGS =
      List.of("--add-modules=jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED");
  private static Path archive;

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static List<String> chartFlagsWithout(String prefix) {
    return ImageFiles.chartJvmFlags("nodeHelper").stream()
        .filter(f -> !f.startsWith(prefix))
        .toList();
  }

  @BeforeAll
  static void dump() throws Exception {
    Files.createDirectories(WORK);
    archive = WORK.resolve("node-helper.jsa");
    Files.deleteIfExists(archive);
    assertThat(ImageFiles.chartJvmFlags("nodeHelper")).anyMatch(f -> f.startsWith(ARCHIVE_FLAG));
    List<String> command = new ArrayList<>(List.of(java(), "-Xshare:dump"));
    command.add(
        "-XX:SharedClassListFile="
            + ImageFiles.projectRoot().resolve("node-helper/src/main/cds/node-helper.classlist"));
    command.add(ARCHIVE_FLAG + archive);
    command.addAll(MODULE_FLAGS);
    command.addAll(chartFlagsWithout(ARCHIVE_FLAG));
    command.addAll(List.of("-cp", ImageFiles.shadedJar("node-helper").toString()));
    Process dump =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(WORK.resolve("dump.log").toFile())
            .start();
    assertThat(dump.waitFor(5, TimeUnit.MINUTES)).as("the dump ends").isTrue();
    assertThat(dump.exitValue()).as(Files.readString(WORK.resolve("dump.log"))).isZero();
    assertThat(archive).isNotEmptyFile();
  }

  @Test
  void runLoadsPastTheFirstApiCallsFromTheArchiveAndSurvivesARecording() throws Exception {
    int port = freePort();
    Path sockets = Files.createDirectories(WORK.resolve("sockets"));
    Path classes = WORK.resolve("class-load.log");
    Path log = WORK.resolve("helper-run.log");
    Files.deleteIfExists(classes);
    try (KubeApiServer api = KubeApiServer.start()) {
      String ns = api.createNamespace("quiesce-system");
      List<String> command = new ArrayList<>(List.of(java()));
      command.addAll(MODULE_FLAGS);
      command.addAll(chartFlagsWithout(ARCHIVE_FLAG));
      command.add(ARCHIVE_FLAG + archive);
      command.add("-Xlog:class+load=info:file=" + classes);
      // JFR turns the class-file load hook on, which changes how archived classes load
      command.add("-XX:StartFlightRecording=filename=" + WORK.resolve("run.jfr"));
      command.addAll(
          List.of(
              "-Dkubernetes.master=" + api.url("/"),
              "-Dkubernetes.auth.tryKubeConfig=false",
              "-Dkubernetes.auth.tryServiceAccount=false",
              "-jar",
              ImageFiles.shadedJar("node-helper").toString(),
              "run"));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("NODE_NAME", Fixtures.DEFAULT_NODE);
      builder.environment().put("POD_NAMESPACE", ns);
      builder.environment().put("QUIESCE_SOCKET_ROOTS", sockets.toString());
      builder.environment().put("QUIESCE_SOCKET_TEMPLATES", sockets + "/{podUID}/qga.sock");
      builder.environment().put("QUIESCE_HEALTH_ADDRESS", "127.0.0.1:" + port);
      builder.environment().put("QUIESCE_JOURNAL_DIR", WORK.resolve("journal").toString());
      Process helper = builder.start();
      try {
        await("/readyz of the helper with the archive")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(250))
            .failFast("the helper exited: " + log, () -> !helper.isAlive())
            .until(() -> readyz(port) == 200);
      } finally {
        helper.destroy();
        if (!helper.waitFor(60, TimeUnit.SECONDS)) {
          helper.destroyForcibly();
        }
      }
      assertThat(helper.exitValue()).as("exit on SIGTERM: " + log).isIn(0, 143);
    }
    List<String> loaded = Files.readAllLines(classes);
    for (String name :
        List.of(
            "io.quiesce.helper.RunCommand",
            "io.quiesce.window.VolumeSnapshotTracker",
            "io.quiesce.window.HeartbeatLease",
            "io.fabric8.kubernetes.client.informers.impl.DefaultSharedIndexInformer")) {
      assertThat(loaded)
          .as(name + " from the archive")
          .anyMatch(l -> l.contains(" " + name + " source: shared objects file"));
    }
    // read from the jar, parsed and verified at every start: an archive trained with no API server
    // left about 400 of them (and the recording's own JDK classes are not in any archive)
    long fromJar = loaded.stream().filter(l -> l.contains("source: file:")).count();
    long shared = loaded.stream().filter(l -> l.contains("source: shared objects file")).count();
    assertThat(fromJar).as("classes read from the jar").isLessThan(shared / 100);
  }

  private static int readyz(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
