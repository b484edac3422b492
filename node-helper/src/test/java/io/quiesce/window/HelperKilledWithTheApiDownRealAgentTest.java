package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.journal.FreezeJournal;
import io.quiesce.journal.JournalEntry;
import io.quiesce.locate.PinnedSocket;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotBehaviour;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario with the REAL qemu-guest-agent in the test guest and real helper processes
 * ({@code java ... Main run}, as the DaemonSet runs it): a helper is SIGKILLed inside a freeze
 * window right after the window's first VolumeSnapshot appeared, the API server is stopped, and a
 * new helper is started against the dead API. The new helper thaws the guest from its journal,
 * stays alive (healthy, not ready) and keeps trying the API. Prints the time from the kill to the
 * thaw over a few runs as {@code [figure]} lines.
 */
@RealGuest
class HelperKilledWithTheApiDownRealAgentTest {
  private static final int RUNS = 3;

  @TempDir Path journalDir;

  @Test
  void theRestartedHelperThawsTheGuestFromItsJournalWithTheApiServerStopped(GuestVm guest)
      throws Exception {
    List<Long> killToThawMs = new ArrayList<>();
    for (int run = 1; run <= RUNS; run++) {
      killToThawMs.add(killedWithTheApiDown(guest, run));
      guest.awaitWriterAdvance(Duration.ofSeconds(30));
    }
    List<Long> sorted = killToThawMs.stream().sorted().toList();
    System.out.printf(
        "[figure] helper SIGKILLed mid-window, API server stopped: the restarted helper thawed the"
            + " guest from its journal %s ms after the kill (median %d ms of %d runs; includes the new JVM's"
            + " start)%n",
        killToThawMs, sorted.get(sorted.size() / 2), RUNS);
  }

  private long killedWithTheApiDown(GuestVm guest, int run) throws Exception {
    GuestSocketDir sockets = GuestSocketDir.create();
    KubeApiServer server = KubeApiServer.start();
    Process first = null;
    Process second = null;
    try {
      KubernetesClient client = server.client();
      String ns = server.createNamespace("killed");
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      sockets.link(vm, guest.agentSocket());
      FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
      csi.onPvc(ns, vm.claimNames().get(0), SnapshotBehaviour.neverCut());
      String leaseNamespace = server.createNamespace("helper");
      QuiescedSnapshot qsnap =
          AssignedSnapshots.assignWithSlotIn(
              client, vm, "db-snap", QuiesceMode.Required, "30s", leaseNamespace);

      first =
          startHelper(server.url("/"), sockets, guest, leaseNamespace, freePort(), "first-" + run);
      Process firstHelper = first;
      await("the first VolumeSnapshot of the window")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  !AssignedSnapshots.volumeSnapshots(client, ns).isEmpty()
                      || !firstHelper.isAlive());
      assertThat(first.isAlive()).as("first helper running").isTrue();
      List<JournalEntry> recorded = FreezeJournal.open(journalDir).load().entries();
      assertThat(recorded)
          .as("written before the freeze")
          .singleElement()
          .satisfies(
              e -> {
                assertThat(isSameFile(e.socket(), sockets.expectedSocket(vm)))
                    .as(e.socket().toString())
                    .isTrue();
                assertThat(e.snapshot()).isEqualTo(ns + "/" + qsnap.getMetadata().getName());
              });

      long killedAt = System.nanoTime();
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no watchdog
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
      String apiUrl = server.url("/");
      csi.close();
      server.close(); // the API server is down from here on
      assertThat(freezeStatus(guest))
          .as("nothing thawed the guest when its helper died")
          .isEqualTo(FreezeState.FROZEN);

      int healthPort = freePort();
      long startedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      second = startHelper(apiUrl, sockets, guest, leaseNamespace, healthPort, "second-" + run);
      Process secondHelper = second;
      await("the journal entry removed: thaw confirmed")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> journalEmpty() || !secondHelper.isAlive());
      long thawedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      assertThat(second.isAlive()).isTrue();
      assertThat(journalEmpty()).isTrue();

      // no exit with the API down: alive, healthy (the probes keep it), not ready
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(secondHelper::isAlive);
      assertThat(httpStatus(healthPort, "/healthz")).isEqualTo(200);
      assertThat(httpStatus(healthPort, "/readyz")).isEqualTo(503);
      second.destroy(); // SIGTERM
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      System.out.printf(
          "[figure] run %d: killed at +0, API server stopped, new helper started at +%d ms,"
              + " guest thawed from the journal at +%d ms (%d ms after the new helper's start)%n",
          run, startedAfterMs, thawedAfterMs, thawedAfterMs - startedAfterMs);
      return thawedAfterMs;
    } finally {
      for (Process p : new Process[] {first, second}) {
        if (p != null) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
      server.close();
      sockets.close();
      guest.ensureThawed(Duration.ofSeconds(10));
    }
  }

  private static boolean isSameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private boolean journalEmpty() throws IOException {
    try (Stream<Path> files = Files.list(journalDir)) {
      return files.noneMatch(p -> p.getFileName().toString().endsWith(".json"));
    }
  }

  /** {@code java ... Main run}, with the chart's environment. */
  private Process startHelper(
      String apiUrl,
      GuestSocketDir sockets,
      GuestVm guest,
      String leaseNamespace,
      int healthPort,
      String name)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    command.addAll(PinnedSocket.JVM_FLAGS); // as the chart's command
    command.addAll(
        List.of(
            "-Dkubernetes.master=" + apiUrl,
            "-Dkubernetes.auth.tryKubeConfig=false",
            "-Dkubernetes.auth.tryServiceAccount=false",
            "-Dkubernetes.trust.certificates=true",
            "io.quiesce.helper.Main",
            "run"));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("NODE_NAME", Fixtures.DEFAULT_NODE);
    builder.environment().put("POD_NAMESPACE", leaseNamespace);
    builder
        .environment()
        .put("QUIESCE_SOCKET_ROOTS", sockets.root() + "," + guest.agentSocket().getParent());
    builder.environment().put("QUIESCE_SOCKET_TEMPLATES", sockets.template());
    builder.environment().put("QUIESCE_FREEZE_TIMEOUT_MAX", "30s");
    builder.environment().put("QUIESCE_HEALTH_ADDRESS", "127.0.0.1:" + healthPort);
    builder.environment().put("QUIESCE_JOURNAL_DIR", journalDir.toString());
    Path log = Path.of("target", "helper-killed-api-down-" + name + ".log");
    return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static int httpStatus(int port, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static FreezeState freezeStatus(GuestVm guest) {
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      return agent.freezeStatus();
    }
  }
}
