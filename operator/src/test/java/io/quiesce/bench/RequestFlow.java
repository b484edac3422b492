package io.quiesce.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.freeze.FakeAgentConnector;
import io.quiesce.operator.OperatorRuntime;
import io.quiesce.operator.OperatorSettings;
import io.quiesce.testkit.kube.ApiRequestCounter;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.window.GuestSocketDir;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.NodeHelper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API requests of whole single-disk snapshot flows, counted at the test kit's API server per
 * client ({@code User-Agent}), verb and resource: the REAL operator ({@link OperatorRuntime}, its
 * informers, reconcilers and writes) and the REAL node helper ({@link NodeHelper}) in this JVM,
 * each with a client of its own; FAKE guest agents behind real unix sockets (no guests) and the
 * FAKE CSI snapshotter. Requests are counted from the moment both are ready (their informers' first
 * list and watch are start-up, not per snapshot) until every snapshot is terminal. Used by {@code
 * RequestBudgetTest} (the budget) and the {@code requests} phase of {@code hack/bench.sh}.
 */
public final class RequestFlow {
  public static final String OPERATOR = "quiesce-operator";
  public static final String HELPER = "quiesce-node-helper";
  static final String SYSTEM_NAMESPACE = "quiesce-system";

  /**
   * What one run counted.
   *
   * @param snapshots how many single-disk snapshots ran (all Succeeded, else the run throws)
   * @param requests every request counted, by client, verb and resource
   * @param took from the first create to the last snapshot seen terminal
   */
  public record Counts(int snapshots, Map<ApiRequestCounter.Key, Long> requests, Duration took) {
    /** Requests of one client per snapshot. */
    public double perSnapshot(String client) {
      return (double) total(client) / snapshots;
    }

    /**
     * The helper's requests per snapshot without its heartbeat: a GET and an UPDATE of its node's
     * Lease every 10 s, per node and not per snapshot (so a slower run would count more of them);
     * the helper updates no other Lease, so its Lease updates count the heartbeats.
     */
    public double helperPerSnapshot() {
      long heartbeats =
          requests.getOrDefault(
              new ApiRequestCounter.Key(HELPER, "update", "leases.coordination.k8s.io"), 0L);
      return (double) (total(HELPER) - 2 * heartbeats) / snapshots;
    }

    public long total(String client) {
      return requests.entrySet().stream()
          .filter(e -> e.getKey().client().equals(client))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }

    /** "verb resource" -> count of one client, largest first. */
    public Map<String, Long> byVerbResource(String client) {
      Map<String, Long> out = new LinkedHashMap<>();
      requests.entrySet().stream()
          .filter(e -> e.getKey().client().equals(client))
          .sorted(Map.Entry.<ApiRequestCounter.Key, Long>comparingByValue().reversed())
          .forEach(e -> out.put(e.getKey().verb() + " " + e.getKey().resource(), e.getValue()));
      return out;
    }
  }

  private RequestFlow() {}

  /**
   * Runs {@code vms} single-disk snapshots (one per VM, all created at once) and counts their
   * requests.
   */
  public static Counts run(KubeApiServer server, int vms) throws Exception {
    KubernetesClient client = server.client();
    String ns = server.createNamespace("budget");
    if (client.namespaces().withName(SYSTEM_NAMESPACE).get() == null) {
      client
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(SYSTEM_NAMESPACE)
                  .endMetadata()
                  .build())
          .create();
    }
    List<ServerSocketChannel> agentSockets = new ArrayList<>();
    try (GuestSocketDir sockets = GuestSocketDir.create();
        FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient("fake-csi"), Duration.ofMillis(200), Duration.ofMillis(100))) {
      for (int i = 0; i < vms; i++) {
        VmScenario vm =
            Fixtures.runningVm(ns, String.format("vm-%03d", i))
                .withPvcDisk("root", String.format("vm-%03d-root", i), "1Gi")
                .create(client);
        agentSockets.add(listen(sockets.expectedSocket(vm)));
      }
      FakeAgentConnector agents = new FakeAgentConnector();
      HelperSettings helperSettings =
          new HelperSettings(
              Fixtures.DEFAULT_NODE,
              SYSTEM_NAMESPACE,
              List.of(sockets.root()),
              List.of(sockets.template()),
              vms,
              Duration.ofSeconds(30),
              null);
      OperatorSettings operatorSettings =
          new OperatorSettings(
              Set.of(),
              false,
              SYSTEM_NAMESPACE,
              "operator-0",
              vms,
              vms,
              QuiesceChannel.AUTO,
              new InetSocketAddress("127.0.0.1", 0));
      try (NodeHelper helper =
              NodeHelper.start(
                  server.newClient(HELPER),
                  helperSettings,
                  (guest, socket) -> agents.open(guest),
                  new SimpleMeterRegistry());
          OperatorRuntime operator =
              OperatorRuntime.start(operatorSettings, server.newClient(OPERATOR))) {
        awaitHelperHeartbeat(client);
        server.requests().reset();
        Instant start = Instant.now();
        for (int i = 0; i < vms; i++) {
          client
              .resource(snapshot(ns, String.format("snap-%03d", i), String.format("vm-%03d", i)))
              .create();
        }
        awaitAllSucceeded(client, ns, vms, Duration.ofSeconds(60 + 2L * vms));
        return new Counts(
            vms, server.requests().snapshot(), Duration.between(start, Instant.now()));
      }
    } finally {
      for (ServerSocketChannel s : agentSockets) {
        s.close();
      }
    }
  }

  private static ServerSocketChannel listen(Path path) {
    try {
      Files.createDirectories(path.getParent());
      ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      channel.bind(UnixDomainSocketAddress.of(path));
      return channel;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static QuiescedSnapshot snapshot(String ns, String name, String vm) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setName(name);
    s.getMetadata().setNamespace(ns);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(vm);
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(QuiesceMode.Required);
    quiesce.setTimeout(
        "30s"); // generous: on a loaded machine the fake snapshotter and the in-JVM server lag
    spec.setQuiesce(quiesce);
    spec.setFailureDeadline("5m");
    s.setSpec(spec);
    return s;
  }

  /** The helper's first heartbeat is written (it is per node and per 10 s, not per snapshot). */
  private static void awaitHelperHeartbeat(KubernetesClient client) throws InterruptedException {
    Instant until = Instant.now().plusSeconds(30);
    while (client
            .leases()
            .inNamespace(SYSTEM_NAMESPACE)
            .withName("quiesce-helper-" + Fixtures.DEFAULT_NODE)
            .get()
        == null) {
      if (Instant.now().isAfter(until)) {
        throw new IllegalStateException("the node helper wrote no heartbeat in 30 s");
      }
      Thread.sleep(100);
    }
  }

  private static void awaitAllSucceeded(
      KubernetesClient client, String ns, int expected, Duration atMost)
      throws InterruptedException {
    Instant until = Instant.now().plus(atMost);
    while (true) {
      List<QuiescedSnapshot> all =
          client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems();
      List<QuiescedSnapshot> terminal =
          all.stream()
              .filter(
                  s ->
                      s.getStatus() != null
                          && (s.getStatus().getPhase() == SnapshotPhase.Succeeded
                              || s.getStatus().getPhase() == SnapshotPhase.Failed))
              .toList();
      if (terminal.size() >= expected) {
        List<String> failed =
            terminal.stream()
                .filter(s -> s.getStatus().getPhase() == SnapshotPhase.Failed)
                .map(s -> s.getMetadata().getName() + ": " + s.getStatus().getMessage())
                .toList();
        if (!failed.isEmpty()) {
          throw new IllegalStateException("snapshots failed: " + failed);
        }
        return;
      }
      if (Instant.now().isAfter(until)) {
        throw new IllegalStateException(
            terminal.size() + " of " + expected + " snapshots terminal after " + atMost);
      }
      Thread.sleep(200);
    }
  }
}
