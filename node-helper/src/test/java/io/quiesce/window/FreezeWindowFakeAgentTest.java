package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The freeze window's decisions that need no real guest, with FAKE agents for failure injection:
 * freeze refused (BestEffort and Required), Skip, a timeout above the helper's maximum, and what a
 * restarted helper does with VolumeSnapshots a previous one created.
 */
@KubeApiTest
class FreezeWindowFakeAgentTest {
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
  void aRefusedFreezeSnapshotsUnfrozenForBestEffortAndNotAtAllForRequired(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("refused");
    VmScenario best = node.vm(client, ns, "best");
    VmScenario required = node.vm(client, ns, "required");
    node.agent(ns, "best").script(Command.FREEZE, Step.fail("CommandFailed"));
    node.agent(ns, "required").script(Command.FREEZE, Step.fail("CommandFailed"));
    QuiescedSnapshot bestSnap =
        AssignedSnapshots.assign(client, best, "best-snap", QuiesceMode.BestEffort, "5s", false);
    QuiescedSnapshot requiredSnap =
        AssignedSnapshots.assign(
            client, required, "required-snap", QuiesceMode.Required, "5s", false);

    helper = node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(30)));

    for (QuiescedSnapshot snap : List.of(bestSnap, requiredSnap)) {
      FreezeRecord record = awaitRecord(client, snap);
      assertThat(record.getReason()).isEqualTo("FreezeFailed");
      assertThat(record.getError()).contains("CommandFailed");
      assertThat(record.getFilesystemsFrozen()).isZero();
      assertThat(record.getStartTime()).isNull();
    }
    assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
        .extracting(v -> v.getMetadata().getLabels().get(Provenance.SNAPSHOT))
        .containsOnly("best-snap")
        .hasSize(2);
    assertThat(node.agent(ns, "best").state()).isEqualTo(io.quiesce.agent.FreezeState.THAWED);
  }

  @Test
  void skipAndATimeoutAboveTheMaximumNeverTouchTheGuest(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("untouched");
    VmScenario skipped = node.vm(client, ns, "skipped");
    VmScenario tooLong = node.vm(client, ns, "too-long");
    QuiescedSnapshot skipSnap =
        AssignedSnapshots.assign(client, skipped, "skip-snap", QuiesceMode.Skip, "5s", false);
    QuiescedSnapshot longSnap =
        AssignedSnapshots.assign(client, tooLong, "long-snap", QuiesceMode.Required, "20s", false);

    helper = node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(10)));

    FreezeRecord skip = awaitRecord(client, skipSnap);
    assertThat(skip.getReason()).isEqualTo("QuiesceSkipped");
    FreezeRecord tooLongRecord = awaitRecord(client, longSnap);
    assertThat(tooLongRecord.getReason()).isEqualTo("FreezeFailed");
    assertThat(tooLongRecord.getError()).contains("maximum");
    assertThat(AssignedSnapshots.volumeSnapshots(client, ns))
        .extracting(v -> v.getMetadata().getLabels().get(Provenance.SNAPSHOT))
        .containsOnly("skip-snap")
        .hasSize(2);
    // start-up recovery reads every guest's freeze status; nothing else may reach these two
    for (String vm : List.of("skipped", "too-long")) {
      assertThat(node.agent(ns, vm).calls())
          .as("agent calls of " + vm)
          .containsOnly(Command.STATUS);
    }
  }

  @Test
  void aRestartedHelperRecordsAWindowItCannotVouchForAndReusesSnapshotsNotYetCut(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("restart");
    VmScenario cutBefore = node.vm(client, ns, "cut-before");
    VmScenario notCut = node.vm(client, ns, "not-cut");
    QuiescedSnapshot cutSnap =
        AssignedSnapshots.assign(client, cutBefore, "cut-snap", QuiesceMode.Required, "5s", false);
    QuiescedSnapshot pendingSnap =
        AssignedSnapshots.assign(client, notCut, "pending-snap", QuiesceMode.Required, "1s", false);
    // what a previous helper left: its VolumeSnapshots, one of them already cut
    csi.close(); // nothing plays the snapshot controller while the "previous helper" runs
    VolumeSnapshot alreadyCut = client.resource(PlannedVolumeSnapshots.of(cutSnap).get(0)).create();
    client
        .resource(alreadyCut)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(
                Map.of(
                    "status",
                    Map.of(
                        "creationTime",
                        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                        "readyToUse",
                        false))));
    VolumeSnapshot leftUncut =
        client.resource(PlannedVolumeSnapshots.of(pendingSnap).get(0)).create();
    // bound but not cut; the next snapshotter leaves snapshots that have a status alone, so it
    // stays uncut
    client
        .resource(leftUncut)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("status", Map.of("readyToUse", false))));
    csi = FakeSnapshotter.start(server.newClient());

    helper = node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(30)));

    FreezeRecord interrupted = awaitRecord(client, cutSnap);
    assertThat(interrupted.getReason()).isEqualTo("HelperRestarted");
    assertThat(interrupted.getThawedBy()).isEqualTo(ThawTrigger.Recovery);
    assertThat(node.agent(ns, "cut-before").count(Command.FREEZE)).isZero();

    FreezeRecord reused = awaitRecord(client, pendingSnap);
    assertThat(reused.getReason())
        .as("an uncut left-over never cuts here: the fresh window times out")
        .isEqualTo("QuiesceTimeout");
    assertThat(node.agent(ns, "not-cut").count(Command.FREEZE)).isEqualTo(1);
    assertThat(
            client
                .resources(VolumeSnapshot.class)
                .inNamespace(ns)
                .withName(leftUncut.getMetadata().getName())
                .get()
                .getMetadata()
                .getUid())
        .as("reused, not created again")
        .isEqualTo(leftUncut.getMetadata().getUid());
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
