package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.GuestOsInfo;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import io.quiesce.freeze.GuestPreflight;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the node helper records when a check before the freeze refuses (FAKE agents, for the guest's
 * answers): the preflight's reason on {@code status.freeze}, a Warning Event of that reason that
 * says how to fix it, no freeze sent, and VolumeSnapshots only for BestEffort.
 */
@KubeApiTest
class FreezeWindowPreflightTest {
  private FakeAgentNode node;
  private FakeSnapshotter csi;
  private NodeHelper helper;

  @BeforeEach
  void node(KubeApiServer server) {
    node = new FakeAgentNode();
    csi = FakeSnapshotter.start(server.newClient());
  }

  @AfterEach
  void stop() throws IOException {
    if (helper != null) {
      helper.close();
    }
    csi.close();
    node.close();
  }

  @Test
  void refusalsAreRecordedWithTheirReasonAndAnEventThatSaysHowToFixThem(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("preflight");
    VmScenario blocked = node.vm(client, ns, "blocked");
    VmScenario windows = node.vm(client, ns, "windows");
    VmScenario selinux = node.vm(client, ns, "selinux");
    node.agent(ns, "blocked").disable(QgaClient.FREEZE, QgaClient.FREEZE_LIST);
    node.agent(ns, "windows")
        .osInfo(new GuestOsInfo("mswindows", "Microsoft Windows 11 Pro", "22631"));
    node.agent(ns, "selinux")
        .script(
            Command.FREEZE,
            Step.agentError("GenericError", "failed to freeze /var/lib/pgsql: Permission denied"));
    QuiescedSnapshot blockedSnap =
        AssignedSnapshots.assign(
            client, blocked, "blocked-snap", QuiesceMode.Required, "5s", false);
    QuiescedSnapshot windowsSnap =
        AssignedSnapshots.assign(
            client, windows, "windows-snap", QuiesceMode.BestEffort, "15s", false);
    QuiescedSnapshot selinuxSnap =
        AssignedSnapshots.assign(
            client, selinux, "selinux-snap", QuiesceMode.Required, "5s", false);

    helper = node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(30)));

    FreezeRecord blockedRecord = awaitRecord(client, blockedSnap);
    assertThat(blockedRecord.getReason()).isEqualTo(GuestPreflight.AGENT_FREEZE_DISABLED);
    assertThat(blockedRecord.getError())
        .contains("guest-fsfreeze-freeze as disabled", "--block-rpcs");
    assertThat(blockedRecord.getFilesystemsFrozen()).isZero();
    assertThat(node.agent(ns, "blocked").count(Command.FREEZE)).isZero();

    FreezeRecord windowsRecord = awaitRecord(client, windowsSnap);
    assertThat(windowsRecord.getReason()).isEqualTo(GuestPreflight.WINDOWS_FREEZE_TIMEOUT_TOO_LONG);
    assertThat(windowsRecord.getError()).contains("Windows 11", "10s or less");
    assertThat(node.agent(ns, "windows").count(Command.FREEZE)).isZero();

    FreezeRecord selinuxRecord = awaitRecord(client, selinuxSnap);
    assertThat(selinuxRecord.getReason()).isEqualTo(GuestPreflight.GUEST_SELINUX_DENIED);
    assertThat(selinuxRecord.getError())
        .contains("/var/lib/pgsql: Permission denied", "virt_qemu_ga_t");

    assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
        .as("only BestEffort snapshots unfrozen")
        .extracting(v -> v.getMetadata().getLabels().get(Provenance.SNAPSHOT))
        .containsOnly("windows-snap")
        .hasSize(2);
    for (String[] expected :
        List.of(
            new String[] {
              "blocked-snap", GuestPreflight.AGENT_FREEZE_DISABLED, "restart the agent"
            },
            new String[] {
              "windows-snap", GuestPreflight.WINDOWS_FREEZE_TIMEOUT_TOO_LONG, "crash-consistent"
            },
            new String[] {"selinux-snap", GuestPreflight.GUEST_SELINUX_DENIED, "audit2allow"})) {
      Event event = awaitEvent(client, ns, expected[0], expected[1]);
      assertThat(event.getType()).isEqualTo("Warning");
      assertThat(event.getMessage()).contains(expected[2]);
    }
  }

  private static Event awaitEvent(
      KubernetesClient client, String ns, String snapshot, String reason) {
    return await("Event " + reason + " on " + snapshot)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                client.v1().events().inNamespace(ns).list().getItems().stream()
                    .filter(
                        e ->
                            snapshot.equals(e.getInvolvedObject().getName())
                                && reason.equals(e.getReason()))
                    .findFirst()
                    .orElse(null),
            e -> e != null);
  }

  private static FreezeRecord awaitRecord(KubernetesClient client, QuiescedSnapshot snapshot) {
    await("status.freeze of " + snapshot.getMetadata().getName())
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              QuiescedSnapshot live = AssignedSnapshots.get(client, snapshot);
              return live.getStatus() != null && live.getStatus().getFreeze() != null;
            });
    return AssignedSnapshots.get(client, snapshot).getStatus().getFreeze();
  }
}
