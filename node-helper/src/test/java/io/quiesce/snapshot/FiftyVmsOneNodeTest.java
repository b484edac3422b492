package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.freeze.FakeAgentConnector;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.freeze.GuestRef;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
    void fiftySnapshotsAtOnceAllCompleteWithinTheNodeCap(KubeApiServer server, KubernetesClient client) throws IOException {
        String ns = server.createNamespace("fifty");
        FakeAgentConnector agents = new FakeAgentConnector();
        AtomicInteger frozenNow = new AtomicInteger();
        AtomicInteger maxFrozen = new AtomicInteger();
        AtomicInteger frozenTwice = new AtomicInteger();
        Map<GuestRef, FreezeState> lastState = new ConcurrentHashMap<>();
        List<ServerSocketChannel> listeners = new ArrayList<>();
        List<QuiescedSnapshot> snapshots = new ArrayList<>();

        try (GuestSocketDir sockets = GuestSocketDir.create()) {
            for (int i = 0; i < VMS; i++) {
                String name = String.format("vm-%02d", i);
                VmScenario vm = Fixtures.runningVm(ns, name).create(client);
                listeners.add(bindSocket(sockets.expectedSocket(vm)));
                GuestRef guest = new GuestRef(ns, name);
                FakeGuestAgent agent = agents.agent(guest);
                agent.onStateChange(state -> {
                    FreezeState before = lastState.put(guest, state);
                    if (state == FreezeState.FROZEN) {
                        if (before == FreezeState.FROZEN) {
                            frozenTwice.incrementAndGet();
                        }
                        maxFrozen.accumulateAndGet(frozenNow.incrementAndGet(), Math::max);
                    } else if (before == FreezeState.FROZEN) {
                        frozenNow.decrementAndGet();
                    }
                });
                snapshots.add(AssignedSnapshots.assign(client, vm, name + "-snap", QuiesceMode.Required, "5s", false));
            }
            HelperSettings settings = new HelperSettings(Fixtures.DEFAULT_NODE, ns, List.of(sockets.root()),
                    List.of(sockets.template()), CAP, Duration.ofSeconds(30), null);

            long began = System.nanoTime();
            try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient(), Duration.ofMillis(300), Duration.ofMillis(200));
                 NodeHelper helper = NodeHelper.start(server.newClient(), settings,
                         (guest, socket) -> agents.open(guest), new SimpleMeterRegistry())) {
                await("every snapshot recorded").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> snapshots.stream().allMatch(s -> record(client, s) != null));
                long tookMs = (System.nanoTime() - began) / 1_000_000;

                List<FreezeRecord> records = snapshots.stream().map(s -> record(client, s)).toList();
                assertThat(records).allSatisfy(r -> {
                    assertThat(r.getReason()).isEqualTo("Frozen");
                    assertThat(r.getThawedBy()).isEqualTo(ThawTrigger.Cut);
                    assertThat(r.getFilesystemsFrozen()).isEqualTo(1);
                });
                assertThat(AssignedSnapshots.volumeSnapshots(client, ns)).hasSize(2 * VMS);
                assertThat(maxFrozen.get()).as("guests frozen at once").isGreaterThan(1).isLessThanOrEqualTo(CAP);
                assertThat(frozenTwice.get()).as("a guest frozen while frozen").isZero();
                assertThat(snapshots).allSatisfy(s -> assertThat(agents.agent(new GuestRef(ns, s.getSpec().getSource()))
                        .count(FakeGuestAgent.Command.FREEZE)).as("freezes of " + s.getSpec().getSource()).isEqualTo(1));
                assertThat(helper.engine().guestsFrozen()).isEmpty();
                long longest = records.stream().mapToLong(FreezeRecord::getDurationMs).max().orElseThrow();
                System.out.printf("[figure] 50 VMs on one node, cap %d: all done in %d ms; at most %d frozen at once;"
                        + " longest freeze %d ms (deadline 5000 ms, cut delay 300 ms)%n", CAP, tookMs, maxFrozen.get(), longest);
            }
        } finally {
            for (ServerSocketChannel listener : listeners) {
                listener.close();
            }
        }
    }

    private static FreezeRecord record(KubernetesClient client, QuiescedSnapshot snapshot) {
        QuiescedSnapshot live = AssignedSnapshots.get(client, snapshot);
        return live.getStatus() == null ? null : live.getStatus().getFreeze();
    }

    /** A real unix socket at {@code path}, so the locator finds it; nobody connects to it. */
    private static ServerSocketChannel bindSocket(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(path));
        return channel;
    }
}
