package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The helper's start-up keeps the safety order: no freeze window starts before the survey has read
 * every guest's freeze state, whatever order its informers start in (the assigned snapshots'
 * watcher holds windows behind a gate). FAKE agents behind real unix sockets (one scripted to hold
 * the survey), the in-JVM API server.
 */
@KubeApiTest
class StartupOrderTest {

  @Test
  void aSnapshotAssignedBeforeStartUpIsNotFrozenUntilTheSurveyHasEnded(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("startup-order");
    try (FakeAgentNode node = new FakeAgentNode();
        FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      node.vm(client, ns, "slow");
      VmScenario db = node.vm(client, ns, "db");
      QuiescedSnapshot snap =
          AssignedSnapshots.assign(client, db, "db-snap", QuiesceMode.Required, "10s", false);
      // the survey's freeze-status call on "slow" waits here; "db"'s own check does not
      CountDownLatch surveyMayEnd = new CountDownLatch(1);
      FakeGuestAgent slow = node.agent(ns, "slow").script(Command.STATUS, Step.gate(surveyMayEnd));
      FakeGuestAgent dbAgent = node.agent(ns, "db");

      CompletableFuture<NodeHelper> starting =
          CompletableFuture.supplyAsync(
              () -> node.start(server.newClient(), node.settings(ns, 4, Duration.ofSeconds(30))));
      try {
        await("the survey reached the slow guest")
            .atMost(Duration.ofSeconds(60))
            .until(() -> slow.count(Command.STATUS) == 1);
        // a snapshot already assigned must wait for the survey
        await("no freeze while the survey runs")
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(10))
            .until(() -> dbAgent.count(Command.FREEZE) == 0 && !starting.isDone());
      } finally {
        surveyMayEnd.countDown();
      }
      try (NodeHelper helper = starting.get(60, TimeUnit.SECONDS)) {
        assertThat(helper.recovery().guests())
            .filteredOn(g -> g.guest().equals(new GuestRef(ns, "slow")))
            .extracting(g -> g.action())
            .containsExactly(RecoveryAction.NOT_FROZEN);
        await("the window runs once the survey has ended")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> AssignedSnapshots.get(client, snap).getStatus().getFreeze() != null);
        FreezeRecord record = AssignedSnapshots.get(client, snap).getStatus().getFreeze();
        assertThat(record.getReason()).isEqualTo("Frozen");
        assertThat(dbAgent.count(Command.FREEZE)).isEqualTo(1);
        List<Command> calls = dbAgent.calls();
        assertThat(calls.indexOf(Command.STATUS))
            .as("the survey read db's state before its freeze")
            .isNotNegative()
            .isLessThan(calls.indexOf(Command.FREEZE));
      }
    }
  }
}
