package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.GuestHook;
import io.quiesce.api.v1alpha1.HookPhase;
import io.quiesce.api.v1alpha1.HookRun;
import io.quiesce.api.v1alpha1.HooksRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotHooks;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.journal.FreezeJournal;
import io.quiesce.journal.JournalEntry;
import io.quiesce.libvirt.LibvirtAgent;
import io.quiesce.testkit.guest.WriterProgress;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotRecord;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.libvirt.LibvirtGuest;
import io.quiesce.testkit.libvirt.RealLibvirtGuest;
import io.quiesce.window.GuestSocketDir;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.LibvirtOpener;
import io.quiesce.window.NodeHelper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The QuiescedSnapshot flow through the {@code libvirt} channel against a REAL libvirt daemon that
 * holds the test guest's agent socket, as virtqemud does in a KubeVirt virt-launcher pod: the
 * operator's reconciler and the node helper on the in-JVM API with the fake CSI snapshotter, the
 * helper finding the daemon's socket from the VMI's launcher pod as on a KubeVirt node and freezing
 * through the project's libvirt client.
 */
@RealLibvirtGuest
@KubeApiTest
class EndToEndLibvirtTest {
  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);

  /** Where the virt-launcher pod's virtqemud socket is below kubelet's pods directory. */
  private static final String SOCKET_IN_POD =
      "volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock";

  private Path kubeletPods;
  private final List<String> domainsAsked = new CopyOnWriteArrayList<>();
  private final AtomicInteger qgaOpened = new AtomicInteger();

  @BeforeEach
  void kubeletPodsDir(LibvirtGuest guest) throws IOException {
    kubeletPods = Files.createTempDirectory(Path.of("/tmp"), "qlk");
    guest.ensureThawed(Duration.ofSeconds(30));
  }

  @AfterEach
  void removeKubeletPodsDir() throws IOException {
    try (var paths = Files.walk(kubeletPods)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void aSnapshotAskingForLibvirtFreezesThroughTheDaemonAndSucceedsConsistent(
      LibvirtGuest guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("e2e-lv");
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(3), Duration.ofSeconds(1));
        NodeHelper helper = startHelper(server, guest, null);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, null), new SimpleMeterRegistry())) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      linkDaemonSocket(vm, guest);
      guest.console().awaitWriterAdvance(WRITER_TIMEOUT);
      CountDownLatch looked = new CountDownLatch(1);
      csi.holdCutsUntil(looked, Duration.ofSeconds(20));
      client.resource(libvirtSnapshot(ns, "db-lv")).create();

      // while the helper holds the freeze (the cut takes 3 s, and waits for this look), the guest's
      // writer makes no progress
      WriterProgress atFreeze = writerStalledWhileFrozen(helper, guest);
      looked.countDown();

      QuiescedSnapshot done = awaitPhase(client, ns, "db-lv", SnapshotPhase.Succeeded);

      FreezeRecord freeze = done.getStatus().getFreeze();
      assertThat(freeze.getMethod()).isEqualTo(FreezeMethod.LIBVIRT);
      assertThat(done.getMetadata().getLabels())
          .containsEntry(QuiesceChannel.RESOLVED_LABEL, "libvirt");
      assertConsistentAndCutInsideTheWindow(done, vm, csi);
      assertThat(domainsAsked).as("KubeVirt's domain name of the VMI").containsOnly(ns + "_db");
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      assertThat(guest.console().awaitWriterAdvance(WRITER_TIMEOUT).iteration())
          .isGreaterThan(atFreeze.iteration());
      System.out.printf(
          "[figure] end to end through libvirt: %s in %d ms frozen (cut delay 3000 ms)%n",
          done.getStatus().getConsistency(), freeze.getDurationMs());
    }
  }

  @Test
  void autoPicksLibvirtAlthoughTheAgentSocketIsThereToo(
      LibvirtGuest guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("e2e-auto");
    try (GuestSocketDir agentSockets = GuestSocketDir.create();
        FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofSeconds(2), Duration.ofSeconds(1));
        NodeHelper helper = startHelper(server, guest, agentSockets);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, null), new SimpleMeterRegistry())) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      linkDaemonSocket(vm, guest);
      // the agent socket libvirt holds is found by the qga template as well
      agentSockets.link(vm, guest.agentSocket());
      QuiescedSnapshot request = snapshot(ns, "db-auto", "db", QuiesceMode.Required, "2m");
      request.getSpec().getQuiesce().setTimeout("15s");
      client.resource(request).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "db-auto", SnapshotPhase.Succeeded);

      assertThat(done.getMetadata().getLabels())
          .containsEntry(QuiesceChannel.RESOLVED_LABEL, "auto");
      assertThat(done.getStatus().getFreeze().getMethod()).isEqualTo(FreezeMethod.LIBVIRT);
      assertConsistentAndCutInsideTheWindow(done, vm, csi);
      assertThat(qgaOpened).as("the agent socket libvirt holds is never used").hasValue(0);
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    }
  }

  /**
   * Hooks through the libvirt channel: the helper relays {@code guest-exec} and {@code
   * guest-exec-status} through the daemon ({@code virDomainQemuAgentCommand}), as it must in a
   * virt-launcher pod where the agent's socket belongs to the daemon.
   */
  @Test
  void hooksRunInTheGuestThroughTheDaemonAroundTheFreeze(
      LibvirtGuest guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("e2e-lv-hooks");
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(500), Duration.ofMillis(500));
        NodeHelper helper = startHelper(server, guest, null);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, null), new SimpleMeterRegistry())) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      linkDaemonSocket(vm, guest);
      QuiescedSnapshot request = libvirtSnapshot(ns, "db-lv-hooks");
      SnapshotHooks hooks = new SnapshotHooks();
      hooks.setPreFreeze(List.of(shell("echo pre-out; echo pre-err >&2")));
      hooks.setPostThaw(List.of(shell("echo post-out; exit 0")));
      request.getSpec().setHooks(hooks);
      client.resource(request).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "db-lv-hooks", SnapshotPhase.Succeeded);

      assertThat(done.getStatus().getFreeze().getMethod()).isEqualTo(FreezeMethod.LIBVIRT);
      assertConsistentAndCutInsideTheWindow(done, vm, csi);
      HooksRecord record = done.getStatus().getHooks();
      assertThat(record.getRuns())
          .extracting(
              HookRun::getPhase, HookRun::getReason, HookRun::getExitCode, HookRun::getStdout)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  HookPhase.PreFreeze, "HookSucceeded", 0, "pre-out "),
              org.assertj.core.groups.Tuple.tuple(
                  HookPhase.PostThaw, "HookSucceeded", 0, "post-out "));
      assertThat(record.getRuns().get(0).getStderr()).isEqualTo("pre-err ");
      Instant windowStart = Instant.parse(done.getStatus().getFreeze().getStartTime());
      assertThat(Instant.parse(record.getRuns().get(0).getEndTime()))
          .as("the preFreeze hook ended before the window")
          .isBeforeOrEqualTo(windowStart);
      assertThat(domainsAsked).containsOnly(ns + "_db");
      assertThat(qgaOpened).as("no direct agent connection").hasValue(0);
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      System.out.printf(
          "[figure] hooks through libvirt: %d ms in preFreeze, %d ms in postThaw, window %d ms%n",
          record.getPreFreezeMs(),
          record.getPostThawMs(),
          done.getStatus().getFreeze().getDurationMs());
    }
  }

  /** A Required snapshot of VM "db" through the libvirt channel, 15 s to cut. */
  private static QuiescedSnapshot libvirtSnapshot(String ns, String name) {
    QuiescedSnapshot request = snapshot(ns, name, "db", QuiesceMode.Required, "2m");
    request.getSpec().getQuiesce().setTimeout("15s");
    request.getSpec().getQuiesce().setChannel(QuiesceChannel.LIBVIRT);
    return request;
  }

  private static GuestHook shell(String script) {
    GuestHook hook = new GuestHook();
    hook.setCommand("/bin/sh");
    hook.setArgs(List.of("-c", script));
    return hook;
  }

  @Test
  void startUpRecoveryThawsAGuestItsJournalSaysItFrozeThroughLibvirt(
      LibvirtGuest guest, KubeApiServer server, KubernetesClient client) throws IOException {
    String ns = server.createNamespace("e2e-recover");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    Path daemonSocket = linkDaemonSocket(vm, guest);
    try (GuestAgent direct = guest.agent(QgaSettings.defaults())) {
      assertThat(direct.freeze(List.of()))
          .as("frozen, as a helper killed in its window left it")
          .isPositive();
    }
    // what that helper wrote before its freeze
    Path journal = Files.createTempDirectory(kubeletPods.getParent(), "qjournal");
    FreezeJournal.open(journal)
        .record(
            new JournalEntry(
                new GuestRef(ns, "db"),
                FreezeMethod.LIBVIRT,
                daemonSocket,
                LibvirtAgent.kubevirtDomainName(ns, "db"),
                ns + "/db-snap",
                Instant.now().plusSeconds(30)));

    try (NodeHelper helper = startHelper(server, guest, null, journal)) {
      assertThat(helper.recovery().guests())
          .anySatisfy(
              g -> {
                assertThat(g.guest()).isEqualTo(new GuestRef(ns, "db"));
                assertThat(g.action()).isEqualTo(RecoveryAction.THAWED);
              });
      assertThat(domainsAsked).containsOnly(ns + "_db");
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    }
    guest.console().awaitWriterAdvance(WRITER_TIMEOUT);
  }

  /**
   * A helper with the libvirt channel on (kubelet's pods dir below /tmp: the daemon's own socket,
   * which the pod's link points to, must lie under the same root) and, when given, the qga channel.
   */
  private NodeHelper startHelper(
      KubeApiServer server, LibvirtGuest guest, GuestSocketDir agentSockets) {
    return startHelper(server, guest, agentSockets, null);
  }

  private NodeHelper startHelper(
      KubeApiServer server, LibvirtGuest guest, GuestSocketDir agentSockets, Path journal) {
    List<Path> agentRoots =
        agentSockets == null
            ? List.of(kubeletPods)
            : List.of(agentSockets.root(), guest.agentSocket().getParent());
    List<String> agentTemplates =
        agentSockets == null ? List.of() : List.of(agentSockets.template());
    HelperSettings settings =
        new HelperSettings(
                Fixtures.DEFAULT_NODE,
                OPERATOR_NAMESPACE,
                agentRoots,
                agentTemplates,
                2,
                Duration.ofSeconds(30),
                null)
            .withLibvirt(Path.of("/tmp"), kubeletPods + "/{podUID}/" + SOCKET_IN_POD)
            .withJournal(journal);
    // the harness's daemon names its domain itself; it stands in for KubeVirt's <namespace>_<vmi>
    LibvirtOpener libvirt =
        (socket, domain) -> {
          domainsAsked.add(domain.name());
          return LibvirtAgent.open(socket, guest.domain(), QgaSettings.defaults());
        };
    return NodeHelper.start(
        server.newClient(),
        settings,
        (ref, socket) -> {
          qgaOpened.incrementAndGet();
          return new QgaClient(socket);
        },
        libvirt,
        new SimpleMeterRegistry());
  }

  /**
   * virtqemud's socket in the VM's launcher pod, as kubelet lays it out: a hard link to the
   * daemon's socket.
   */
  private Path linkDaemonSocket(VmScenario vm, LibvirtGuest guest) {
    Path inPod =
        kubeletPods.resolve(vm.launcherPods().get(0).getMetadata().getUid()).resolve(SOCKET_IN_POD);
    try {
      Files.createDirectories(inPod.getParent());
      Files.createLink(
          inPod, guest.daemonSocket()); // hard link: a symlink out of the pod is refused
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return inPod;
  }

  private static WriterProgress writerStalledWhileFrozen(NodeHelper helper, LibvirtGuest guest) {
    await("the guest frozen")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !helper.engine().guestsConfirmedFrozen().isEmpty());
    double up = guest.console().awaitFreshGuestUptime(Duration.ofSeconds(3));
    WriterProgress atFreeze = guest.console().writerProgress();
    guest.console().awaitGuestUptime(up + 1.0, Duration.ofSeconds(5));
    assertThat(guest.console().writerProgress()).as("writer while frozen").isEqualTo(atFreeze);
    return atFreeze;
  }

  private static void assertConsistentAndCutInsideTheWindow(
      QuiescedSnapshot done, VmScenario vm, FakeSnapshotter csi) {
    FreezeRecord freeze = done.getStatus().getFreeze();
    assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
    assertThat(freeze.getReason()).isEqualTo("Frozen");
    assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Cut);
    assertThat(freeze.getFilesystemsFrozen()).isPositive();
    Instant start = Instant.parse(freeze.getStartTime());
    Instant end = Instant.parse(freeze.getEndTime());
    assertThat(done.getStatus().getVolumeSnapshots())
        .hasSize(vm.claimNames().size())
        .allSatisfy(
            r -> {
              SnapshotRecord cut =
                  csi.record(done.getMetadata().getNamespace(), r.getVolumeSnapshotName())
                      .orElseThrow();
              assertThat(cut.cutAt())
                  .as("cut of %s inside the freeze window", r.getVolume())
                  .isBetween(start, end);
            });
  }

  private static FreezeState freezeStatus(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(QgaSettings.defaults())) {
      return agent.freezeStatus();
    }
  }
}
