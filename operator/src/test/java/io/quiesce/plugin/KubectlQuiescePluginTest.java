package io.quiesce.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
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
import io.quiesce.naming.ThawRequest;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.KubeTools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private PluginRun kubectl;
  private String ns;

  KubectlQuiescePluginTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @BeforeEach
  void setUp(@TempDir Path dir) throws IOException {
    kubectl = PluginRun.inNewNamespace(server, "plugin", dir);
    ns = kubectl.namespace();
  }

  private KubeTools.Result plugin(String... args) throws IOException {
    return kubectl.run(args);
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
    // the plugin follows the snapshot with a watch, not by polling
    kubectl.awaitWatchOf("quiescedsnapshots", created.getMetadata().getName());

    // two changes back to back: a watch sees each of them
    writeStatus(created.getMetadata().getName(), SnapshotPhase.InProgress);
    writeStatus(created.getMetadata().getName(), SnapshotPhase.Succeeded);

    KubeTools.Result result = run.get(170, TimeUnit.SECONDS);
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.stdout())
        .contains("quiescedsnapshot.quiesce.io/guest-1-")
        .containsPattern(
            "(?s)\\d\\d:\\d\\d:\\d\\d  Pending\n"
                + "\\d\\d:\\d\\d:\\d\\d  InProgress  \\(node node01\\)\n"
                + "\\d\\d:\\d\\d:\\d\\d  Succeeded  \\(node node01, FilesystemConsistent\\)\n")
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

  /**
   * No node helper runs here: the request is written on the VMI, nobody answers, and the plugin
   * says so within --timeout (exit 3), withdrawing its request. The answered path, with the real
   * helper and guest agent: KubectlQuiesceThawRealAgentTest.
   */
  @Test
  void thawWithNoNodeHelperAnsweringTimesOutClearlyAndWithdrawsTheRequest() throws Exception {
    client.resource(vmi("guest-3", "node01")).create();
    List<String> requested = new CopyOnWriteArrayList<>();
    try (var watch =
        client
            .resources(VirtualMachineInstance.class)
            .inNamespace(ns)
            .withName("guest-3")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(VirtualMachineInstance v) {}

                  @Override
                  public void onUpdate(VirtualMachineInstance old, VirtualMachineInstance v) {
                    Map<String, String> a = v.getMetadata().getAnnotations();
                    if (a != null && a.containsKey(ThawRequest.REQUESTED)) {
                      requested.add(a.get(ThawRequest.REQUESTED));
                    }
                  }

                  @Override
                  public void onDelete(VirtualMachineInstance v, boolean unknown) {}
                })) {
      KubeTools.Result thaw = plugin("thaw", "guest-3", "--timeout", "3s");

      assertThat(thaw.exitCode()).as("%s", thaw).isEqualTo(3);
      assertThat(thaw.stdout()).contains("emergency thaw requested (token ");
      assertThat(thaw.stderr())
          .startsWith("error: no node helper answered the thaw request ")
          .contains("within 3 s: is the node helper running on node node01?")
          .contains("the request was withdrawn");
      assertThat(requested).singleElement().matches(ThawRequest::isValidToken);
      assertThat(
              client
                  .resources(VirtualMachineInstance.class)
                  .inNamespace(ns)
                  .withName("guest-3")
                  .get()
                  .getMetadata()
                  .getAnnotations())
          .as("withdrawn")
          .doesNotContainKey(ThawRequest.REQUESTED);
    }
  }

  @Test
  void thawOfAVmThatIsNotRunningFailsWithoutARequest() throws Exception {
    KubeTools.Result missing = plugin("thaw", "nope");
    assertThat(missing.exitCode()).isEqualTo(4);
    assertThat(missing.stderr())
        .startsWith("error: virtualmachineinstance \"nope\" not found in namespace " + ns);

    client.resource(vmi("pending", null)).create();
    KubeTools.Result unscheduled = plugin("thaw", "pending");
    assertThat(unscheduled.exitCode()).isEqualTo(4);
    assertThat(unscheduled.stderr()).contains("runs on no node yet");
    assertThat(
            client
                .resources(VirtualMachineInstance.class)
                .inNamespace(ns)
                .withName("pending")
                .get()
                .getMetadata()
                .getAnnotations())
        .isNullOrEmpty();
  }

  private VirtualMachineInstance vmi(String name, String node) {
    return Serialization.unmarshal(
        """
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
             "metadata":{"name":"%s","namespace":"%s"},"status":{"phase":"Running"%s}}"""
            .formatted(name, ns, node == null ? "" : ",\"nodeName\":\"" + node + "\""),
        VirtualMachineInstance.class);
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
