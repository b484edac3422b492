package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.FreezeState;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 50 snapshots of 50 VMs on one node at once, with FAKE guest agents (one real guest cannot be 50):
 * every one completes, at most the node's cap of guests is frozen at any moment, and no guest is
 * frozen twice at once. The sockets are real (bound, found by the real locator); the agent behind
 * them is the engine's in-memory fake.
 */
@KubeApiTest
class FiftyVmsOneNodeTest {
  private static final int VMS = 50;
  private static final int CAP = 4;

  @Test
  void fiftySnapshotsAtOnceAllCompleteWithinTheNodeCap(
      KubeApiServer server, KubernetesClient client) throws IOException {
    String ns = server.createNamespace("fifty");
    AtomicInteger frozenNow = new AtomicInteger();
    AtomicInteger maxFrozen = new AtomicInteger();
    AtomicInteger frozenTwice = new AtomicInteger();
    Map<String, FreezeState> lastState = new ConcurrentHashMap<>();
    List<QuiescedSnapshot> snapshots = new ArrayList<>();

    try (FakeAgentNode node = new FakeAgentNode()) {
      for (int i = 0; i < VMS; i++) {
        String name = String.format("vm-%02d", i);
        VmScenario vm = node.vm(client, ns, name);
        node.agent(ns, name)
            .onStateChange(
                state -> {
                  FreezeState before = lastState.put(name, state);
                  if (state == FreezeState.FROZEN) {
                    if (before == FreezeState.FROZEN) {
                      frozenTwice.incrementAndGet();
                    }
                    maxFrozen.accumulateAndGet(frozenNow.incrementAndGet(), Math::max);
                  } else if (before == FreezeState.FROZEN) {
                    frozenNow.decrementAndGet();
                  }
                });
        snapshots.add(
            AssignedSnapshots.assign(
                client, vm, name + "-snap", QuiesceMode.Required, "5s", false));
      }

      long began = System.nanoTime();
      try (FakeSnapshotter csi =
              FakeSnapshotter.start(
                  server.newClient(), Duration.ofMillis(300), Duration.ofMillis(200));
          NodeHelper helper =
              node.start(server.newClient(), node.settings(ns, CAP, Duration.ofSeconds(30)))) {
        await("every snapshot recorded")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> snapshots.stream().allMatch(s -> record(client, s) != null));
        long tookMs = (System.nanoTime() - began) / 1_000_000;

        List<FreezeRecord> records = snapshots.stream().map(s -> record(client, s)).toList();
        assertThat(records)
            .allSatisfy(
                r -> {
                  assertThat(r.getReason()).isEqualTo("Frozen");
                  assertThat(r.getThawedBy()).isEqualTo(ThawTrigger.Cut);
                  assertThat(r.getFilesystemsFrozen()).isEqualTo(1);
                });
        assertThat(AssignedSnapshots.volumeSnapshots(client, ns)).hasSize(2 * VMS);
        assertThat(maxFrozen.get())
            .as("guests frozen at once")
            .isGreaterThan(1)
            .isLessThanOrEqualTo(CAP);
        assertThat(frozenTwice.get()).as("a guest frozen while frozen").isZero();
        assertThat(snapshots)
            .allSatisfy(
                s ->
                    assertThat(
                            node.agent(ns, s.getSpec().getSource())
                                .count(FakeGuestAgent.Command.FREEZE))
                        .as("freezes of " + s.getSpec().getSource())
                        .isEqualTo(1));
        assertThat(helper.engine().guestsFrozen()).isEmpty();
        long longest = records.stream().mapToLong(FreezeRecord::getDurationMs).max().orElseThrow();
        System.out.printf(
            "[figure] 50 VMs on one node, cap %d: all done in %d ms; at most %d frozen at once;"
                + " longest freeze %d ms (deadline 5000 ms, cut delay 300 ms)%n",
            CAP, tookMs, maxFrozen.get(), longest);
      }
    }
  }

  private static FreezeRecord record(KubernetesClient client, QuiescedSnapshot snapshot) {
    QuiescedSnapshot live = AssignedSnapshots.get(client, snapshot);
    return live.getStatus() == null ? null : live.getStatus().getFreeze();
  }
}
