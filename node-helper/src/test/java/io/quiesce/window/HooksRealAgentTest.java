package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.GuestHook;
import io.quiesce.api.v1alpha1.HookErrorPolicy;
import io.quiesce.api.v1alpha1.HookPhase;
import io.quiesce.api.v1alpha1.HookRun;
import io.quiesce.api.v1alpha1.HooksRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotHooks;
import io.quiesce.testkit.guest.DiskImages;
import io.quiesce.testkit.guest.GuestKnob;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spec.hooks end to end: the node helper runs them through the REAL qemu-guest-agent's guest-exec
 * in the test guest around a real freeze, with the in-JVM API server and the fake CSI snapshotter.
 * The hooks print to the guest console, where the agent's own fsfreeze-hook prints "HOOK freeze"
 * and "HOOK thaw": the console shows the order inside the guest. The fake snapshotter's cut copies
 * the guest's real data disk while it is frozen, and the copy holds the marker the agent's own
 * freeze hook wrote.
 */
@RealGuest
@KubeApiTest
class HooksRealAgentTest {
  private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(60);

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private GuestSocketDir sockets;
  @TempDir Path journalDir;
  @TempDir Path copies;

  @BeforeEach
  void socketRoot() {
    sockets = GuestSocketDir.create();
  }

  @AfterEach
  void closeAll(GuestVm guest) throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    sockets.close();
    assertThat(guest.ensureThawed(Duration.ofSeconds(10)))
        .as("the test left the guest frozen")
        .isFalse();
  }

  @Test
  void preFreezeAndPostThawHooksRunInOrderAroundTheFreezeAndTheAgentsOwnHookIsInTheCopy(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("hooks-order");
    VmScenario vm = linkedVm(client, ns, guest);
    // the storage's cut: a copy of the guest's real disk, made before the cut is reported, so
    // while the guest is frozen (the helper thaws once it sees the cut)
    List<Path> diskCopies = new CopyOnWriteArrayList<>();
    closeLater(
        FakeSnapshotter.start(server.newClient())
            .onCut(
                snapshot ->
                    diskCopies.add(
                        guest.copyDataDisk(
                            copies.resolve(snapshot.getMetadata().getName() + ".img")))));
    // the agent's own --fsfreeze-hook writes this token to /data at freeze, inside the freeze call
    String token = String.valueOf(ThreadLocalRandom.current().nextInt(1000, 10000));
    guest.setKnob(GuestKnob.FREEZE_MARKER, token);
    long mark = guest.consoleMark();
    // 3000 bytes of output with an escape sequence and line breaks in it
    GuestHook loud =
        shell(
            "echo QHOOK pre0 >/dev/console; printf 'a\\033[31mb\\n'; head -c 3000 /dev/zero | tr '\\0' y");
    GuestHook pre1 = shell("echo QHOOK pre1 >/dev/console");
    GuestHook post0 = shell("echo QHOOK post0 >/dev/console; echo done");
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assignWith(
            client,
            vm,
            "hooked",
            "15s",
            spec -> spec.setHooks(hooks(List.of(loud, pre1), List.of(post0))));

    startHelper(server, guest, ns);
    QuiescedSnapshotStatus status = awaitHooksAndFreeze(client, qsnap);

    FreezeRecord freeze = status.getFreeze();
    assertThat(freeze.getReason()).isEqualTo("Frozen");
    HooksRecord hooks = status.getHooks();
    assertThat(hooks.getRuns())
        .extracting(HookRun::getPhase, HookRun::getIndex, HookRun::getReason, HookRun::getExitCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(HookPhase.PreFreeze, 0, "HookSucceeded", 0),
            org.assertj.core.groups.Tuple.tuple(HookPhase.PreFreeze, 1, "HookSucceeded", 0),
            org.assertj.core.groups.Tuple.tuple(HookPhase.PostThaw, 0, "HookSucceeded", 0));
    String out = hooks.getRuns().get(0).getStdout();
    assertThat(out.codePointCount(0, out.length())).isEqualTo(HookRun.MAX_OUTPUT);
    assertThat(out).startsWith("a[31mb yyy").endsWith("…[truncated]").doesNotContain("\u001b");
    assertThat(hooks.getRuns().get(2).getStdout()).isEqualTo("done ");
    // on the helper's clock: every preFreeze hook ended before the window, postThaw began after
    Instant windowStart = Instant.parse(freeze.getStartTime());
    Instant windowEnd = Instant.parse(freeze.getEndTime());
    assertThat(Instant.parse(hooks.getRuns().get(1).getEndTime())).isBeforeOrEqualTo(windowStart);
    assertThat(Instant.parse(hooks.getRuns().get(2).getStartTime())).isAfterOrEqualTo(windowEnd);
    assertThat(hooks.getTotalMs()).isEqualTo(hooks.getPreFreezeMs() + hooks.getPostThawMs());
    // in the guest: our hooks, then the agent's own fsfreeze-hook at freeze and thaw, then ours
    String console = guest.consoleSince(mark);
    assertThat(console)
        .containsSubsequence("QHOOK pre0", "QHOOK pre1", "HOOK freeze", "HOOK thaw", "QHOOK post0");
    // the marker of the agent's own freeze hook, written inside the freeze call and flushed by the
    // freeze, is in the copy of the frozen disk
    assertThat(diskCopies).isNotEmpty();
    for (Path copy : diskCopies) {
      assertThat(DiskImages.e2fsck(copy).succeeded()).as("e2fsck -fn " + copy).isTrue();
      assertThat(DiskImages.readFile(copy, "/fsfreeze-hook.marker"))
          .as("the agent's freeze hook marker in " + copy)
          .contains("freeze-hook-marker " + token);
    }
    System.out.printf(
        "[figure] hooks: %d ms in preFreeze hooks, %d ms in postThaw hooks, window %d ms%n",
        hooks.getPreFreezeMs(), hooks.getPostThawMs(), freeze.getDurationMs());
  }

  @Test
  void aFailingPreFreezeHookWithFailFreezesNothingAndPostThawStillRuns(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("hooks-fail");
    VmScenario vm = linkedVm(client, ns, guest);
    closeLater(FakeSnapshotter.start(server.newClient()));
    long mark = guest.consoleMark();
    GuestHook failing = shell("echo QHOOK failing >/dev/console; echo 'no space left' >&2; exit 4");
    GuestHook post = shell("echo QHOOK post-after-fail >/dev/console");
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assignWith(
            client,
            vm,
            "failing",
            "15s",
            spec -> spec.setHooks(hooks(List.of(failing), List.of(post))));

    startHelper(server, guest, ns);
    QuiescedSnapshotStatus status = awaitHooksAndFreeze(client, qsnap);

    assertThat(status.getFreeze().getReason()).isEqualTo("PreFreezeHookFailed");
    assertThat(status.getFreeze().getFilesystemsFrozen()).isZero();
    assertThat(status.getFreeze().getStartTime()).isNull();
    assertThat(status.getFreeze().getError()).contains("exited with code 4");
    assertThat(status.getHooks().getRuns())
        .extracting(HookRun::getReason)
        .containsExactly("HookFailed", "HookSucceeded");
    assertThat(status.getHooks().getRuns().get(0).getStderr()).isEqualTo("no space left ");
    assertThat(AssignedSnapshots.volumeSnapshots(client, ns)).as("nothing cut").isEmpty();
    String console = guest.consoleSince(mark);
    assertThat(console).containsSubsequence("QHOOK failing", "QHOOK post-after-fail");
    assertThat(console).as("the agent never froze").doesNotContain("HOOK freeze");
  }

  @Test
  void aHookPastItsTimeoutIsAbandonedAndWithContinueTheSnapshotGoesOn(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("hooks-timeout");
    VmScenario vm = linkedVm(client, ns, guest);
    closeLater(FakeSnapshotter.start(server.newClient()));
    GuestHook slow = shell("sleep 4");
    slow.setTimeout("1s");
    slow.setOnError(HookErrorPolicy.Continue);
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assignWith(
            client, vm, "slow", "15s", spec -> spec.setHooks(hooks(List.of(slow), List.of())));

    startHelper(server, guest, ns);
    QuiescedSnapshotStatus status = awaitHooksAndFreeze(client, qsnap);

    HookRun run = status.getHooks().getRuns().get(0);
    assertThat(run.getReason()).isEqualTo("HookTimedOut");
    assertThat(run.getExitCode()).isNull();
    assertThat(run.getMessage()).contains("may still be running");
    // abandoned at the timeout, plus at most one poll interval and one status call
    assertThat(run.getDurationMs()).isBetween(1000L, 3000L);
    assertThat(status.getFreeze().getReason()).isEqualTo("Frozen");
  }

  private static GuestHook shell(String script) {
    GuestHook hook = new GuestHook();
    hook.setCommand("/bin/sh");
    hook.setArgs(List.of("-c", script));
    return hook;
  }

  private static SnapshotHooks hooks(List<GuestHook> pre, List<GuestHook> post) {
    SnapshotHooks hooks = new SnapshotHooks();
    hooks.setPreFreeze(pre);
    hooks.setPostThaw(post);
    return hooks;
  }

  private static QuiescedSnapshotStatus awaitHooksAndFreeze(
      KubernetesClient client, QuiescedSnapshot qsnap) {
    await("status.freeze and status.hooks of " + qsnap.getMetadata().getName())
        .atMost(RECORD_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              QuiescedSnapshot live = AssignedSnapshots.get(client, qsnap);
              return live != null
                  && live.getStatus() != null
                  && live.getStatus().getFreeze() != null
                  && live.getStatus().getHooks() != null;
            });
    return AssignedSnapshots.get(client, qsnap).getStatus();
  }

  private VmScenario linkedVm(KubernetesClient client, String ns, GuestVm guest) {
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    sockets.link(vm, guest.agentSocket());
    return vm;
  }

  private void startHelper(KubeApiServer server, GuestVm guest, String leaseNamespace) {
    HelperSettings settings =
        new HelperSettings(
                Fixtures.DEFAULT_NODE,
                leaseNamespace,
                List.of(sockets.root(), guest.agentSocket().getParent()),
                List.of(sockets.template()),
                4,
                Duration.ofSeconds(30),
                null)
            .withJournal(journalDir);
    closeLater(
        NodeHelper.start(
            server.newClient(),
            settings,
            (ref, socket) -> new QgaClient(socket),
            new SimpleMeterRegistry()));
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    cleanup.add(closeable);
    return closeable;
  }
}
