package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaSettings;
import io.quiesce.api.v1alpha1.ChannelAttempt;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.helper.Main;
import io.quiesce.locate.PinnedSocket;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotRecord;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.libvirt.ChartSecurityContext;
import io.quiesce.testkit.libvirt.LibvirtGuest;
import io.quiesce.testkit.libvirt.RealLibvirtGuest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node helper ({@code node-helper.jar run}, its own JVM) under the chart's container security
 * context, emulated with setpriv ({@link ChartSecurityContext}), against the REAL libvirt daemon of
 * the harness, which runs as KubeVirt's {@code qemu} (uid 107) with a session daemon's owner-only
 * socket, reached through a kubelet-like pod directory as on a KubeVirt node; the in-JVM API server
 * and the fake CSI snapshotter stand in for the cluster. Channel {@code auto}, the chart's default.
 *
 * <ul>
 *   <li>every capability dropped (the chart before): the libvirt probe is refused at connect, typed
 *       {@code LibvirtPermissionDenied}; no agent command reaches the guest, no VolumeSnapshot is
 *       made, and the snapshot is handed back to the operator ({@code NoAgentChannel}) with the
 *       attempts;
 *   <li>{@code CAP_DAC_OVERRIDE} only (the chart's default now): freeze, cut, thaw through libvirt.
 * </ul>
 */
@RealLibvirtGuest
@KubeApiTest
class NodeHelperSecurityContextRealLibvirtTest {
  /**
   * KubeVirt's domain of a VMI is {@code <namespace>_<vmi>}; the harness's domain is {@code
   * kv_qgavm}.
   */
  private static final String NAMESPACE = "kv";

  private static final String VMI = "qgavm";
  private static final String SOCKET_IN_POD =
      "volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock";
  private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(90);

  private static KubeApiServer vmServer;
  private static VmScenario vm;
  private Path kubeletPods;
  private Process helper;
  private Path helperLog;

  /** The helper's POD_NAMESPACE, where the operator's freeze slot Leases are. */
  private String helperNamespace;

  @BeforeEach
  void kubeletPodsDir(LibvirtGuest guest) throws IOException {
    assertThat(guest.domain()).isEqualTo(NAMESPACE + "_" + VMI);
    kubeletPods = Files.createTempDirectory(Path.of("/tmp"), "qlk");
    guest.ensureThawed(Duration.ofSeconds(30));
  }

  @AfterEach
  void stopHelper(LibvirtGuest guest) throws Exception {
    if (helper != null) {
      helper.destroy(); // SIGTERM: the helper thaws what it froze before it exits
      if (!helper.waitFor(60, TimeUnit.SECONDS)) {
        helper.destroyForcibly();
      }
    }
    try (var paths = Files.walk(kubeletPods)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    assertThat(guest.ensureThawed(Duration.ofSeconds(30)))
        .as("the test left the guest frozen")
        .isFalse();
  }

  @Test
  void withEveryCapabilityDroppedAutoHandsBackWithTheTypedReasonAndNothingFrozen(
      LibvirtGuest guest, KubeApiServer server, KubernetesClient client) throws Exception {
    VmScenario vm = vmOnThisNode(server, client, guest);
    long mark = guest.daemonLogMark();
    startHelper(server, ChartSecurityContext.ALL_DROPPED);

    QuiescedSnapshot snapshot =
        AssignedSnapshots.assignWithSlotIn(
            client, vm, "denied", QuiesceMode.Required, "10s", helperNamespace);
    QuiescedSnapshot recorded = awaitRecord(client, snapshot);

    // handed back to the operator, not a freeze record: status.freeze is left to whoever freezes
    assertThat(recorded.getStatus().getHelperHandBack().getReason())
        .as(helperOutput())
        .isEqualTo("NoAgentChannel");
    assertThat(recorded.getStatus().getFreeze()).isNull();
    List<ChannelAttempt> attempts = recorded.getStatus().getChannelAttempts();
    assertThat(attempts)
        .extracting(ChannelAttempt::getChannel, ChannelAttempt::getReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(FreezeMethod.LIBVIRT, "LibvirtPermissionDenied"),
            org.assertj.core.groups.Tuple.tuple(FreezeMethod.QGA, "AgentSocketNotFound"));
    assertThat(attempts.get(0).getMessage())
        .contains(
            "permission denied",
            "uid 107",
            "mode 0700",
            "CAP_DAC_OVERRIDE",
            "nodeHelper.securityContext");
    // refused at connect: no command of any kind reached the guest's agent, and nothing was cut
    assertThat(guest.agentCommandsSince(mark)).isEmpty();
    assertThat(AssignedSnapshots.volumeSnapshots(client, NAMESPACE))
        .noneMatch(v -> "denied".equals(v.getMetadata().getLabels().get(Provenance.SNAPSHOT)));
    assertThat(client.v1().events().inNamespace(NAMESPACE).list().getItems())
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("LibvirtPermissionDenied");
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("leaving the freeze to KubeVirt's API");
            });
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void withOnlyDacOverrideAddedAutoFreezesCutsAndThawsThroughLibvirt(
      LibvirtGuest guest, KubeApiServer server, KubernetesClient client) throws Exception {
    VmScenario vm = vmOnThisNode(server, client, guest);
    long mark = guest.daemonLogMark();
    try (FakeSnapshotter csi =
        FakeSnapshotter.start(server.newClient(), Duration.ofSeconds(1), Duration.ofSeconds(1))) {
      startHelper(server, ChartSecurityContext.DAC_OVERRIDE_ONLY);

      QuiescedSnapshot snapshot =
          AssignedSnapshots.assignWithSlotIn(
              client, vm, "granted", QuiesceMode.Required, "20s", helperNamespace);
      QuiescedSnapshot recorded = awaitRecord(client, snapshot);

      FreezeRecord freeze = recorded.getStatus().getFreeze();
      assertThat(freeze.getReason()).as(helperOutput()).isEqualTo("Frozen");
      assertThat(freeze.getMethod()).isEqualTo(FreezeMethod.LIBVIRT);
      assertThat(freeze.getFilesystemsFrozen()).isEqualTo(1);
      assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Cut);
      assertThat(recorded.getStatus().getChannelAttempts())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.getChannel()).isEqualTo(FreezeMethod.LIBVIRT);
                assertThat(a.getReason()).isEqualTo("Ready");
                System.out.printf(
                    "[figure] libvirt channel probe under DAC_OVERRIDE only: %s; then frozen %d ms%n",
                    a.getMessage(), freeze.getDurationMs());
              });
      // every planned VolumeSnapshot was cut inside the window
      Instant start = Instant.parse(freeze.getStartTime());
      Instant end = Instant.parse(freeze.getEndTime());
      List<SnapshotRecord> cuts = csi.records();
      assertThat(cuts).isNotEmpty().hasSize(PlannedVolumeSnapshots.of(recorded).size());
      assertThat(cuts).allSatisfy(c -> assertThat(c.cutAt()).isBetween(start, end));
      // the probe's ping, the engine's status read, then one freeze and one thaw
      assertThat(guest.agentCommandsSince(mark))
          .containsSubsequence(
              "guest-ping", "guest-fsfreeze-status", "guest-fsfreeze-freeze", "guest-fsfreeze-thaw")
          .filteredOn(c -> c.equals("guest-fsfreeze-freeze"))
          .hasSize(1);
    }
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
  }

  /**
   * The VMI {@code kv/qgavm} with its launcher pod here, and virtqemud's socket in that pod's
   * emptyDir.
   */
  private VmScenario vmOnThisNode(KubeApiServer server, KubernetesClient client, LibvirtGuest guest)
      throws IOException {
    // the API server lives as long as the class; its one VMI of that name serves every test
    if (vmServer != server) {
      client
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
      vm = Fixtures.runningVm(NAMESPACE, VMI).create(client);
      vmServer = server;
    }
    Path inPod =
        kubeletPods.resolve(vm.launcherPods().get(0).getMetadata().getUid()).resolve(SOCKET_IN_POD);
    Files.createDirectories(inPod.getParent());
    Files.deleteIfExists(inPod);
    Files.createLink(
        inPod, guest.daemonSocket()); // hard link: the helper refuses a symlink out of the pod
    return vm;
  }

  /**
   * {@code node-helper run} as the chart starts it (channel auto, no qga templates), in {@code
   * context}.
   */
  private void startHelper(KubeApiServer server, ChartSecurityContext context) throws IOException {
    String leases = server.createNamespace("quiesce-system");
    helperNamespace = leases;
    Map<String, String> env = new HashMap<>();
    env.put("NODE_NAME", Fixtures.DEFAULT_NODE);
    env.put("POD_NAMESPACE", leases);
    env.put("QUIESCE_SOCKET_ROOTS", kubeletPods.toString());
    env.put("QUIESCE_SOCKET_TEMPLATES", "");
    env.put("QUIESCE_DEFAULT_CHANNEL", "auto");
    // the daemon's own socket (the pod's link points to it) must lie under the libvirt root too
    env.put("QUIESCE_LIBVIRT_SOCKET_ROOT", "/tmp");
    env.put("QUIESCE_LIBVIRT_SOCKET_TEMPLATE", kubeletPods + "/{podUID}/" + SOCKET_IN_POD);
    List<String> command =
        context.java(
            Stream.concat(
                    PinnedSocket.JVM_FLAGS.stream(), // as the chart's command
                    Stream.of(
                        "-Dkubernetes.master=" + server.url("/"),
                        "-Dkubernetes.auth.tryKubeConfig=false",
                        "-Dkubernetes.auth.tryServiceAccount=false"))
                .toList(),
            Main.class.getName(),
            List.of("run"));
    // kept for reading after a failure, under the module's build dir
    Path logs =
        Files.createDirectories(Path.of(System.getProperty("user.dir"), "target", "helper-logs"));
    helperLog = logs.resolve("helper-" + context.name().toLowerCase() + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(helperLog.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(name -> name.startsWith("QUIESCE_") || name.startsWith("KUBERNETES"));
    builder.environment().putAll(env);
    helper = builder.start();
    helper.getOutputStream().close();
    // the helper really runs in that context: once setpriv has exec'd the JVM, its effective
    // capabilities as the kernel reports them
    await("setpriv exec's the helper's JVM")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .failFast("the helper exited: " + helperOutput(), () -> !helper.isAlive())
        .until(
            () ->
                Files.readSymbolicLink(Path.of("/proc", Long.toString(helper.pid()), "exe"))
                    .getFileName()
                    .toString()
                    .equals("java"));
    assertThat(effectiveCaps(helper.pid()))
        .as("CapEff of the helper")
        .isEqualTo(context.effectiveCaps());
  }

  private QuiescedSnapshot awaitRecord(KubernetesClient client, QuiescedSnapshot snapshot) {
    return await("the helper's record of " + snapshot.getMetadata().getName())
        .atMost(RECORD_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .failFast("the helper exited: " + helperOutput(), () -> !helper.isAlive())
        .until(
            () -> client.resource(snapshot).get(),
            s ->
                s != null
                    && s.getStatus() != null
                    && (s.getStatus().getFreeze() != null
                        || s.getStatus().getHelperHandBack() != null));
  }

  private String helperOutput() {
    try {
      List<String> lines = Files.readAllLines(helperLog, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no helper output: " + e.getMessage() + ")";
    }
  }

  /** {@code CapEff} of a live process, or null once it is gone. */
  private static String effectiveCaps(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(l -> l.startsWith("CapEff:"))
          .map(l -> l.substring("CapEff:".length()).strip())
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static FreezeState statusOf(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(QgaSettings.defaults())) {
      return agent.freezeStatus();
    }
  }
}
