package io.quiesce.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quiesce.agent.BareQgaChannel;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotSource;
import io.quiesce.kube.csi.VolumeSnapshotSpec;
import io.quiesce.sandbox.Sandbox;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmark phase "freeze-window" of {@code hack/bench.sh} (not a test). Against one real guest
 * (real qemu-guest-agent, a writer on its ext4 disk), the sandbox's in-JVM API server and its
 * snapshotter that copies the disk image before it sets {@code creationTime}, with the real {@code
 * node-helper.jar run} and {@code operator.jar run} processes serving the sandbox, it takes,
 * alternating so that drift hits both alike:
 *
 * <ul>
 *   <li><b>Quiesce</b>: a {@code QuiescedSnapshot} of the guest's VM, to a terminal phase; the
 *       window is its {@code status.freeze.durationMs};
 *   <li><b>the floor</b>: the least any tool must do against the same API, snapshotter and guest:
 *       freeze over a bare socket ({@link BareQgaChannel}), create the VolumeSnapshot, wait by
 *       watch for its {@code creationTime}, thaw; the window runs from sending the freeze to the
 *       thaw's reply, as Quiesce's does.
 * </ul>
 *
 * Each is cross-checked by the guest writer's longest stall around it ({@link WriterStalls}).
 *
 * <p>Usage: {@code FreezeWindowBench <sandbox dir> <agent socket> <guest console log> <pairs> <out
 * dir>}; talks to {@code -Dkubernetes.master}.
 */
public final class FreezeWindowBench {

  private static final String PHASE = "freeze-window";
  private static final String VM = "guest-1";
  private static final String CLAIM = "guest-1-data";
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

  /** Pairs run before the measured ones, reported apart. */
  private static final int WARMUP_PAIRS = 3;

  private final KubernetesClient client;
  private final Path snapshotImages;
  private final Path agentSocket;
  private final WriterStalls writer;
  private final List<Long> quiesceMs = new ArrayList<>();
  private final List<Long> floorMs = new ArrayList<>();
  private final List<Double> quiesceStallMs = new ArrayList<>();
  private final List<Double> floorStallMs = new ArrayList<>();
  private final List<Long> quiesceTotalMs = new ArrayList<>();
  private final List<Long> warmupQuiesceMs = new ArrayList<>();
  private final List<Long> warmupFloorMs = new ArrayList<>();
  private int consistent;

  private FreezeWindowBench(
      KubernetesClient client, Path sandboxDir, Path agentSocket, Path console) {
    this.client = client;
    this.snapshotImages = Sandbox.snapshotDir(sandboxDir);
    this.agentSocket = agentSocket;
    this.writer = new WriterStalls(console);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println(
          "usage: FreezeWindowBench <sandbox dir> <agent socket> <guest console log> <pairs> <out dir>");
      System.exit(2);
    }
    int pairs = Integer.parseInt(args[3]);
    PhaseResult result;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      FreezeWindowBench bench =
          new FreezeWindowBench(client, Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
      result = bench.run(pairs);
    } catch (Exception e) {
      e.printStackTrace();
      result = PhaseResult.failed(PHASE, e);
    }
    result.write(Path.of(args[4]));
    System.exit(result.ok() ? 0 : 1);
  }

  private PhaseResult run(int pairs) throws Exception {
    // the helper and the operator start beside this run: a snapshot the operator reconciles before
    // it has seen the helper's heartbeat falls back to KubeVirt's freeze subresource (channel
    // auto), which the sandbox's API server does not serve; wait as one waits for a DaemonSet
    await("the node helper's heartbeat Lease (hack/bench.sh: node01, quiesce-system)")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                client
                        .leases()
                        .inNamespace("quiesce-system")
                        .withName("quiesce-helper-node01")
                        .get()
                    != null);
    // a few of each first, counted apart: the first windows after start pay the JIT, class
    // initialisation and first connections of the helper, the operator, the test API server and
    // the snapshotter (floor included), and were most of the p95 when one pair warmed up
    for (int i = 0; i < WARMUP_PAIRS; i++) {
      quiesce("warmup-" + i);
      floor("warmup-" + i);
    }
    warmupQuiesceMs.addAll(quiesceMs);
    warmupFloorMs.addAll(floorMs);
    quiesceMs.clear();
    floorMs.clear();
    quiesceStallMs.clear();
    floorStallMs.clear();
    quiesceTotalMs.clear();
    consistent = 0;
    for (int i = 0; i < pairs; i++) {
      if (i % 2 == 0) {
        quiesce(Integer.toString(i));
        floor(Integer.toString(i));
      } else {
        floor(Integer.toString(i));
        quiesce(Integer.toString(i));
      }
      System.out.printf(
          "pair %d/%d: quiesce %d ms, floor %d ms (writer stall %.0f / %.0f ms)%n",
          i + 1,
          pairs,
          quiesceMs.get(i),
          floorMs.get(i),
          quiesceStallMs.get(i),
          floorStallMs.get(i));
    }
    if (consistent != pairs) {
      throw new IllegalStateException(
          consistent + " of " + pairs + " Quiesce snapshots were Succeeded/FilesystemConsistent");
    }
    return result(pairs);
  }

  /** One QuiescedSnapshot of the VM, to a terminal phase. */
  private void quiesce(String suffix) throws Exception {
    long before = writer.mark();
    long t0 = System.nanoTime();
    QuiescedSnapshot created =
        client
            .resource(Fixtures.requiredSnapshot(Sandbox.NAMESPACE, "bench-q-" + suffix, VM, "5s"))
            .create();
    QuiescedSnapshot done =
        client
            .resource(created)
            .waitUntilCondition(
                s ->
                    s != null
                        && s.getStatus() != null
                        && (s.getStatus().getPhase() == SnapshotPhase.Succeeded
                            || s.getStatus().getPhase() == SnapshotPhase.Failed),
                STEP_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
    long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    long after = writer.mark();
    if (done.getStatus().getFreeze() == null
        || done.getStatus().getFreeze().getDurationMs() == null) {
      throw new IllegalStateException(
          done.getMetadata().getName() + " has no freeze record: " + done.getStatus());
    }
    quiesceMs.add(done.getStatus().getFreeze().getDurationMs());
    quiesceTotalMs.add(total);
    quiesceStallMs.add(stall(before, after));
    if (done.getStatus().getPhase() == SnapshotPhase.Succeeded
        && done.getStatus().getConsistency() == Consistency.FilesystemConsistent) {
      consistent++;
    }
    dropImages();
  }

  /** The floor: freeze, create the VolumeSnapshot, wait for its cut, thaw. */
  private void floor(String suffix) throws Exception {
    try (BareQgaChannel agent = BareQgaChannel.open(agentSocket)) {
      long before = writer.mark();
      agent.exchange("guest-fsfreeze-freeze");
      // from the freeze reply, as status.freeze.durationMs counts (FreezeRecord.startTime)
      long t0 = System.nanoTime();
      try {
        VolumeSnapshot created = client.resource(volumeSnapshot("bench-floor-" + suffix)).create();
        client
            .resource(created)
            .waitUntilCondition(
                v -> v != null && v.getStatus() != null && v.getStatus().getCreationTime() != null,
                STEP_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
      } finally {
        agent.exchange(
            "guest-fsfreeze-thaw"); // also when the cut failed: never leave the guest frozen
      }
      floorMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      floorStallMs.add(stall(before, writer.mark()));
    }
    dropImages();
  }

  /** The writer's longest stall around an operation, once it has written again after it. */
  private double stall(long before, long after) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> writer.stallMs(before, after), OptionalDouble::isPresent)
        .getAsDouble();
  }

  /** Snapshot images are 64 MiB copies the bench does not need once cut. */
  private void dropImages() throws IOException {
    try (Stream<Path> images = Files.list(snapshotImages)) {
      for (Path image : images.toList()) {
        Files.deleteIfExists(image);
      }
    }
  }

  private PhaseResult result(int pairs) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("pairs", pairs);
    figures.put("quiesceWindowMs", quiesceMs);
    figures.put("floorWindowMs", floorMs);
    figures.put("quiesceWriterStallMs", quiesceStallMs);
    figures.put("floorWriterStallMs", floorStallMs);
    figures.put("quiesceCreateToTerminalMs", quiesceTotalMs);
    figures.put("warmupQuiesceWindowMs", warmupQuiesceMs);
    figures.put("warmupFloorWindowMs", warmupFloorMs);
    figures.put("quiesceWindowMedianMs", Percentiles.median(quiesceMs));
    figures.put("quiesceWindowP95Ms", Percentiles.of(quiesceMs, 95));
    figures.put("floorWindowMedianMs", Percentiles.median(floorMs));
    figures.put("floorWindowP95Ms", Percentiles.of(floorMs, 95));
    String n = " (n=" + pairs + " each, alternating)";
    List<BenchRow> rows =
        List.of(
            new BenchRow(
                PHASE,
                "guest frozen, median (ms)" + n,
                Percentiles.median(quiesceMs),
                Percentiles.median(floorMs),
                "Quiesce: status.freeze.durationMs; floor: bare-socket freeze, create VolumeSnapshot, watch creationTime, thaw"),
            new BenchRow(
                PHASE,
                "guest frozen, p95 (ms)",
                Percentiles.of(quiesceMs, 95),
                Percentiles.of(floorMs, 95),
                "as above"),
            new BenchRow(
                PHASE,
                "guest frozen in the " + WARMUP_PAIRS + " warm-up pairs, longest (ms)",
                warmupQuiesceMs.stream().mapToLong(Long::longValue).max().orElse(0),
                (double) warmupFloorMs.stream().mapToLong(Long::longValue).max().orElse(0),
                "not counted above: the first windows after every component started (JIT, first"
                    + " connections); in order: Quiesce "
                    + warmupQuiesceMs
                    + ", floor "
                    + warmupFloorMs),
            new BenchRow(
                PHASE,
                "guest writer's longest stall, median (ms)",
                Percentiles.median(quiesceStallMs),
                Percentiles.median(floorStallMs),
                "independent: gap between the guest writer's fsync'ed iterations (guest uptime)"),
            new BenchRow(
                PHASE,
                "guest writer's longest stall, p95 (ms)",
                Percentiles.of(quiesceStallMs, 95),
                Percentiles.of(floorStallMs, 95),
                "as above"),
            new BenchRow(
                PHASE,
                "QuiescedSnapshot create to Succeeded, median (ms)",
                Percentiles.median(quiesceTotalMs),
                null,
                "includes readyToUse and the operator's reconciles; all "
                    + consistent
                    + " FilesystemConsistent"));
    return PhaseResult.ok(PHASE, figures, rows);
  }

  private static VolumeSnapshot volumeSnapshot(String name) {
    VolumeSnapshotSource source = new VolumeSnapshotSource();
    source.setPersistentVolumeClaimName(CLAIM);
    VolumeSnapshotSpec spec = new VolumeSnapshotSpec();
    spec.setSource(source);
    spec.setVolumeSnapshotClassName(
        Fixtures.SNAPSHOT_CLASS); // the class Quiesce picks: the driver's default
    VolumeSnapshot snapshot = new VolumeSnapshot();
    snapshot.getMetadata().setName(name);
    snapshot.getMetadata().setNamespace(Sandbox.NAMESPACE);
    snapshot.setSpec(spec);
    return snapshot;
  }
}
