package io.quiesce.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.KubeTools;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import io.quiesce.testkit.kube.kubevirt.FakeKubeVirtApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl quiesce} run through the real kubectl (plugin discovery on the PATH, the launcher
 * script, operator.jar's classes) against the test API server. The operator is played by the test:
 * it writes the snapshot's status as the reconciler would.
 */
@KubeApiTest
class KubectlQuiescePluginTest {
  private final KubeApiServer server;
  private final KubernetesClient client;
  private Path dir;
  private Path kubeconfig;
  private String ns;

  KubectlQuiescePluginTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @BeforeEach
  void setUp(@TempDir Path dir) throws IOException {
    this.dir = dir;
    ns = server.createNamespace("plugin");
    kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"), ns);
  }

  /**
   * {@code kubectl quiesce ARGS}: kubectl finds the repository's launcher on the PATH; it runs this
   * build's classes.
   */
  private KubeTools.Result plugin(String... args) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path launcher = bin.resolve("kubectl-quiesce");
    if (!Files.exists(launcher)) {
      Files.createSymbolicLink(launcher, launcherInRepository());
    }
    String[] command = new String[args.length + 2];
    command[0] = KubeTools.kubectl().toString();
    command[1] = "quiesce";
    System.arraycopy(args, 0, command, 2, args.length);
    return KubeTools.run(
        kubeconfig,
        Map.of(
            "PATH",
            bin + ":" + System.getenv("PATH"),
            "QUIESCE_PLUGIN_CLASSPATH",
            System.getProperty("java.class.path")),
        null,
        command);
  }

  /**
   * The repository's plugin/kubectl-quiesce: under surefire's QUIESCE_PROJECT_ROOT, else above the
   * working dir.
   */
  private static Path launcherInRepository() {
    String root = System.getenv("QUIESCE_PROJECT_ROOT");
    if (root != null && Files.isRegularFile(Path.of(root, "plugin/kubectl-quiesce"))) {
      return Path.of(root, "plugin/kubectl-quiesce");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("plugin/kubectl-quiesce"))) {
        return dir.resolve("plugin/kubectl-quiesce");
      }
    }
    throw new IllegalStateException(
        "plugin/kubectl-quiesce not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void snapshotWaitFollowsThePhasesAndPrintsTheFreezeWindow() throws Exception {
    CompletableFuture<KubeTools.Result> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return plugin(
                    "snapshot", "guest-1", "--wait", "--timeout", "150s", "--mode", "BestEffort");
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    QuiescedSnapshot created =
        Awaitility.await()
            .atMost(150, TimeUnit.SECONDS)
            .until(
                () -> client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems(),
                l -> !l.isEmpty())
            .get(0);
    assertThat(created.getSpec().getSource()).isEqualTo("guest-1");
    assertThat(created.getSpec().getQuiesce().getMode().name()).isEqualTo("BestEffort");

    writeStatus(created.getMetadata().getName(), SnapshotPhase.InProgress);
    writeStatus(created.getMetadata().getName(), SnapshotPhase.Succeeded);

    KubeTools.Result result = run.get(170, TimeUnit.SECONDS);
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.stdout())
        .contains("quiescedsnapshot.quiesce.io/guest-1-")
        .contains("Succeeded")
        .contains("freeze window: 120 ms")
        .contains("consistency: FilesystemConsistent");
  }

  @Test
  void statusAndDescribeShowTheLatestSnapshotAndItsTimeline() throws Exception {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.getMetadata().setName("guest-2-manual");
    snapshot.getMetadata().setNamespace(ns);
    snapshot.setSpec(new io.quiesce.api.v1alpha1.QuiescedSnapshotSpec());
    snapshot.getSpec().setSource("guest-2");
    client.resource(snapshot).create();
    writeStatus("guest-2-manual", SnapshotPhase.Succeeded);
    QuiescedSnapshot group = new QuiescedSnapshot(); // a consistency group has no one VM
    group.getMetadata().setName("shop-group");
    group.getMetadata().setNamespace(ns);
    group.setSpec(new io.quiesce.api.v1alpha1.QuiescedSnapshotSpec());
    group.getSpec().setSources(new io.quiesce.api.v1alpha1.SnapshotSources());
    group.getSpec().getSources().setVms(List.of("guest-1", "guest-2"));
    client.resource(group).create();

    KubeTools.Result status = plugin("status");
    assertThat(status.exitCode()).as("%s", status).isZero();
    assertThat(status.stdout())
        .containsPattern("guest-2\\s+guest-2-manual\\s+Succeeded\\s+FilesystemConsistent\\s+120");

    KubeTools.Result describe = plugin("describe", "guest-2-manual");
    assertThat(describe.exitCode()).as("%s", describe).isZero();
    List<String> steps =
        describe.stdout().lines().skip(1).map(l -> l.trim().split("\\s+")[1]).toList();
    assertThat(steps).containsExactly("created", "assigned", "frozen", "thawed", "ready");
  }

  @Test
  void previewPrintsTheSchedulesNextFiresInItsZone() throws Exception {
    client
        .resource(
            Serialization.unmarshal(
                """
                {"apiVersion":"quiesce.io/v1alpha1","kind":"QuiescedSnapshotSchedule",
                 "metadata":{"name":"nightly","namespace":"%s"},
                 "spec":{"schedule":"30 2 * * *","timeZone":"Europe/Berlin","vmSelector":{"matchLabels":{"b":"n"}}}}"""
                    .formatted(ns),
                QuiescedSnapshotSchedule.class))
        .create();

    KubeTools.Result preview = plugin("preview", "nightly", "--count", "3");

    assertThat(preview.exitCode()).as("%s", preview).isZero();
    assertThat(preview.stdout().lines().filter(l -> l.startsWith("  ")).toList())
        .hasSize(3)
        .allMatch(l -> l.matches("  \\d{4}-\\d{2}-\\d{2}T02:30:00\\+0[12]:00"));
  }

  @Test
  void thawUnfreezesThroughKubeVirtAndRecordsAnEvent() throws Exception {
    VirtualMachineInstance vmi =
        Serialization.unmarshal(
            """
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
                 "metadata":{"name":"guest-3","namespace":"%s"},"status":{"phase":"Running","nodeName":"node01"}}"""
                .formatted(ns),
            VirtualMachineInstance.class);
    client.resource(vmi).create();
    FakeKubeVirtApi kubeVirt = server.kubeVirt();
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    kubeVirt.bind(ns, "guest-3", guest);
    guest.freeze(); // left frozen, as by a crashed freeze

    KubeTools.Result thaw = plugin("thaw", "guest-3");

    assertThat(thaw.exitCode()).as("%s", thaw).isZero();
    assertThat(guest.frozen()).isFalse();
    assertThat(kubeVirt.calls()).contains("PUT unfreeze " + ns + "/guest-3 200");
    List<Event> events = client.v1().events().inNamespace(ns).list().getItems();
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("EmergencyThaw");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("guest-3");
            });
  }

  @Test
  void usageErrorsExitTwoAndAMissingSnapshotExitsFour() throws Exception {
    KubeTools.Result usage = plugin("snapshot", "guest-1", "--mode", "Sometimes");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.stderr()).startsWith("error: --mode: \"Sometimes\" is not one of");

    KubeTools.Result missing = plugin("describe", "nope");
    assertThat(missing.exitCode()).isEqualTo(4);
    assertThat(missing.stderr().lines().toList())
        .containsExactly("error: quiescedsnapshot \"nope\" not found in namespace " + ns);
  }

  /** Writes the status the operator would, with times just after the snapshot's creation. */
  private void writeStatus(String name, SnapshotPhase phase) {
    QuiescedSnapshot live =
        client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get();
    Instant created = Instant.parse(live.getMetadata().getCreationTimestamp());
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(phase);
    status.setNodeName("node01");
    status.setStartTime(created.plusMillis(300).toString());
    if (phase == SnapshotPhase.Succeeded) {
      FreezeRecord freeze = new FreezeRecord();
      freeze.setMethod(FreezeMethod.QGA);
      freeze.setStartTime(created.plusSeconds(1).toString());
      freeze.setEndTime(created.plusMillis(1120).toString());
      freeze.setDurationMs(120L);
      freeze.setThawedBy(ThawTrigger.Cut);
      status.setFreeze(freeze);
      status.setConsistency(Consistency.FilesystemConsistent);
      status.setCompletionTime(created.plusSeconds(2).toString());
    }
    live.setStatus(status);
    client.resource(live).updateStatus();
  }
}
