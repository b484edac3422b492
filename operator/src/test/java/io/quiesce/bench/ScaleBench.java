package io.quiesce.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotTemplate;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.Provenance;
import io.quiesce.schedule.QuiescedSnapshotScheduleReconciler;
import io.quiesce.snapshot.FakeNodeHelper;
import io.quiesce.snapshot.QuiescedSnapshotReconciler;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.ApiRequestCounter;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Benchmark phase "scale" of {@code hack/bench.sh} (not a test): N FAKE VMs (test-kit fixtures, no
 * guests) on 20 nodes through ONE fire of a schedule, with the real operator ({@code operator.jar
 * run}, its own process, the chart's JVM flags and memory limit as {@code -XX:MaxRAM}) under a
 * cluster freeze cap C, the FAKE node helper (freezes nothing) and the FAKE CSI snapshotter cutting
 * each VolumeSnapshot after a fixed delay D, all on the test kit's in-JVM API server (not a real
 * cluster), which counts the requests. Reports the wall time from the fire to every snapshot
 * terminal against the ideal ceil(N/C) x D, the operator's API requests per snapshot, its heap and
 * resident memory, and both JVMs' CPU per snapshot. The measured fire comes second: a warm-up fire
 * of the same shape over W VMs of its own ({@link WarmUpFire}, {@code -Dquiesce.bench.warmupVms}, 0
 * for none) runs first to all terminal, is reported apart, and its snapshots are deleted before the
 * measured schedule is created.
 *
 * <p>Usage: {@code ScaleBench <operator.jar> <values.yaml> <vms> <cap> <cut delay ms> <out dir>}
 */
public final class ScaleBench {

  private static final String PHASE = "scale";
  private static final String NAMESPACE = "bench";
  private static final String SYSTEM_NAMESPACE = "quiesce-system";
  private static final int NODES = 20;
  private static final int NODE_CAP = 4;
  private static final String FAKES = "quiesce-bench-fakes";

  /**
   * The label that tells the two fires' VMs apart, each schedule selecting its own; its values are
   * the schedules' names.
   */
  private static final String FIRE_LABEL = "bench.quiesce.io/fire";

  private static final String WARM_UP = "warm-up";
  private static final String MEASURED = "fleet";

  /** The test kit's property for the test API server's event loops (1: fabric8's one). */
  private static final String EVENT_LOOPS = "quiesce.testkit.kube.eventLoops";

  /**
   * Generous: on a loaded 2-core machine the fakes and the in-JVM API server, not the operator, may
   * lag.
   */
  private static final Duration QUIESCE_TIMEOUT = Duration.ofSeconds(30);

  /** hack/bench.sh --operator-memory: the operator's container memory limit, if not the chart's. */
  private static final String OPERATOR_MEMORY = "quiesce.bench.operatorMemory";

  /** The operator's container memory limit in this run (its -XX:MaxRAM). */
  private static String memoryLimit;

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println(
          "usage: ScaleBench <operator.jar> <values.yaml> <vms> <cap> <cut delay ms> <out dir>");
      System.exit(2);
    }
    Path out = Path.of(args[5]);
    PhaseResult result;
    try {
      Path values = Path.of(args[1]);
      List<String> flags = new ArrayList<>(ChartJvmFlags.of(values, "operator"));
      // sized as in its container: the chart's limit, or the one a bigger fleet is told to set
      memoryLimit =
          System.getProperty(OPERATOR_MEMORY, ChartJvmFlags.memoryLimit(values, "operator"));
      flags.add(0, ChartJvmFlags.maxRam(memoryLimit));
      result =
          run(
              Path.of(args[0]),
              flags,
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Duration.ofMillis(Long.parseLong(args[4])),
              out);
    } catch (Exception e) {
      e.printStackTrace();
      result = PhaseResult.failed(PHASE, e);
    }
    result.write(out);
    System.exit(result.ok() ? 0 : 1);
  }

  private static PhaseResult run(
      Path operatorJar, List<String> jvmFlags, int vms, int cap, Duration cutDelay, Path out)
      throws Exception {
    try (KubeApiServer server = KubeApiServer.start()) {
      KubernetesClient client = server.newHttp1Client(FAKES);
      for (String ns : List.of(NAMESPACE, SYSTEM_NAMESPACE)) {
        client
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      int warmupVms =
          Integer.getInteger(WarmUpFire.SIZE_PROPERTY, WarmUpFire.defaultSize(vms, cap));
      long seedStart = System.nanoTime();
      seed(client, "warm", warmupVms, WARM_UP);
      seed(client, "vm", vms, MEASURED);
      System.out.printf(
          "seeded %d + %d (warm-up) fake VMs in %d ms%n", vms, warmupVms, millisSince(seedStart));
      List<String> nodes = IntStream.range(0, NODES).mapToObj(i -> "node-" + i).toList();
      Terminal terminal = new Terminal(MEASURED, vms);
      Terminal warm = new Terminal(WARM_UP, warmupVms);
      // one watch per kind in this JVM, each event decoded once: the helper follows the
      // snapshotter's VolumeSnapshots and the bench's QuiescedSnapshots. Those are the assigned
      // ones only (labelled with a node), as a real helper's watch selects: a watch of every
      // snapshot made the FAKE helper decode the fire's creations and Pending writes (two per
      // snapshot) on its one watch thread before it saw the first assignments, a backlog no real
      // helper has. Every snapshot of a fire is assigned before it ends.
      try (FakeSnapshotter csi =
              FakeSnapshotter.start(
                  server.newHttp1Client(FAKES), cutDelay, Duration.ofMillis(200));
          var informer =
              client
                  .resources(QuiescedSnapshot.class)
                  .inNamespace(NAMESPACE)
                  .withLabel(Provenance.NODE)
                  .inform(terminal);
          FakeNodeHelper helper =
              FakeNodeHelper.start(
                  server.newHttp1Client(FAKES),
                  FakeNodeHelper.Behaviour.FREEZE_OK,
                  SYSTEM_NAMESPACE,
                  cap + 10,
                  nodes,
                  QUIESCE_TIMEOUT,
                  new FakeNodeHelper.Watches(informer, csi.volumeSnapshots()));
          ComponentProcess operator =
              ComponentProcess.start(
                  operatorJar,
                  jvmFlags,
                  kubeProperties(server),
                  Map.of(
                      "POD_NAMESPACE",
                      SYSTEM_NAMESPACE,
                      "QUIESCE_WATCH_NAMESPACES",
                      NAMESPACE,
                      "QUIESCE_MAX_CONCURRENT_FREEZES",
                      Integer.toString(cap),
                      "QUIESCE_MAX_FREEZES_PER_NODE",
                      Integer.toString(NODE_CAP)),
                  out.resolve("scale-operator.log"))) {
        informer.addEventHandler(warm);
        // set-up, not a figure: the informers list every VM, instance and claim first, from a test
        // server that shares a loaded machine (5,000 VMs took over 2 minutes there)
        long readyMs = operator.awaitReady(Duration.ofMinutes(2).plusMillis(30L * vms));
        System.out.printf("operator ready in %d ms%n", readyMs);
        Peak peak = new Peak(operator.memory());
        Optional<WarmUpFire> warmUp =
            warmupVms == 0
                ? Optional.empty()
                : Optional.of(warmUp(client, operator, warm, cap, cutDelay, peak));
        Instant slot = createScheduleBeforeNextMinute(client, MEASURED);
        server.requests().reset();
        System.out.printf(
            "schedule fires at %s over %d VMs (cap %d, cut %d ms)%n",
            slot, vms, cap, cutDelay.toMillis());
        OperatorWork atFire = OperatorWork.before(operator, slot);
        // this JVM's CPU from the fire on: the test API server, the fakes and the bench's informer
        long cpuAtFireNs = ownCpuNanos();
        awaitTerminal(client, terminal, slot, operator, peak);
        long wallMs = Duration.between(slot, terminal.lastAt).toMillis();
        double benchJvmCpuMsPerSnapshot = (ownCpuNanos() - cpuAtFireNs) / 1e6 / vms;
        System.out.printf(
            "bench JVM (test API server + fakes) CPU per snapshot: %.1f ms%n",
            benchJvmCpuMsPerSnapshot);
        OperatorWork fire = atFire.until(operator);
        Map<ApiRequestCounter.Key, Long> requests = server.requests().snapshot();
        double heapAfter = operator.heapUsedBytes();
        ProcStatus end = operator.memory();
        ProcStatus settled = operator.settledMemory();
        double heapSettled = operator.heapUsedBytes();
        Map<String, String> steps = FreezeSteps.medians(terminal.steps(helper, csi), cap);
        steps.forEach((step, ms) -> System.out.printf("step median (ms): %s: %s%n", step, ms));
        FreezeSteps.edges(terminal.steps(helper, csi), slot, cap)
            .forEach((edge, ms) -> System.out.printf("fire edge (ms): %s: %d%n", edge, ms));
        return result(
            vms,
            cap,
            cutDelay,
            wallMs,
            terminal,
            warmUp,
            helper,
            steps,
            requests,
            peak.status,
            end,
            settled,
            heapAfter,
            heapSettled,
            benchJvmCpuMsPerSnapshot,
            fire);
      }
    }
  }

  /**
   * The warm-up fire: its schedule fires at the next minute, runs to all terminal, and is then
   * deleted with its snapshots (waiting until they and their VolumeSnapshots are gone), so that the
   * measured schedule's reconciles, which walk the namespace's scheduled snapshots, walk only their
   * own, and no request for the warm-up's objects falls into the measured fire.
   */
  private static WarmUpFire warmUp(
      KubernetesClient client,
      ComponentProcess operator,
      Terminal warm,
      int cap,
      Duration cutDelay,
      Peak peak)
      throws Exception {
    Instant slot = createScheduleBeforeNextMinute(client, WARM_UP);
    System.out.printf("warm-up schedule fires at %s over %d VMs%n", slot, warm.expected);
    OperatorWork atFire = OperatorWork.before(operator, slot);
    long cpuAtFireNs = ownCpuNanos();
    awaitTerminal(client, warm, slot, operator, peak);
    long wallMs = Duration.between(slot, warm.lastAt).toMillis();
    double benchCpuMs = (ownCpuNanos() - cpuAtFireNs) / 1e6;
    OperatorWork fire = atFire.until(operator);
    WarmUpFire result =
        new WarmUpFire(
            warm.expected,
            wallMs,
            Math.ceil((double) warm.expected / cap) * cutDelay.toMillis(),
            warm.succeeded(),
            fire.cpuMs(),
            benchCpuMs);
    System.out.printf(
        "warm-up fire: %d ms; CPU per snapshot: operator %.1f ms, bench JVM %.1f ms%n",
        wallMs, result.operatorCpuMsPerSnapshot(), result.benchJvmCpuMsPerSnapshot());
    client.resource(schedule(WARM_UP, slot)).delete();
    client
        .resources(QuiescedSnapshot.class)
        .inNamespace(NAMESPACE)
        .withLabel(Provenance.SCHEDULE, WARM_UP)
        .delete();
    if (!warm.gone.await(2, TimeUnit.MINUTES)) {
      throw new IllegalStateException(
          "the warm-up's snapshots not all deleted 2 minutes after their deletion");
    }
    // and their VolumeSnapshots, which the fake snapshotter releases once the operator deletes
    // them: else its requests for them fall into the measured fire
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                client
                    .resources(VolumeSnapshot.class)
                    .inNamespace(NAMESPACE)
                    .list()
                    .getItems()
                    .isEmpty());
    return result;
  }

  /** Waits until every snapshot of {@code fire} is terminal, sampling the operator's RSS. */
  private static void awaitTerminal(
      KubernetesClient client, Terminal fire, Instant slot, ComponentProcess operator, Peak peak)
      throws Exception {
    Duration timeout = Duration.ofSeconds(120 + fire.expected);
    while (!fire.all.await(1, TimeUnit.SECONDS)) {
      peak.sample(operator.memory());
      if (Instant.now().isAfter(slot.plus(timeout))) {
        throw new IllegalStateException(
            "only "
                + fire.seen.size()
                + " of "
                + fire.expected
                + " snapshots of "
                + fire.schedule
                + " terminal "
                + timeout.toSeconds()
                + " s after the fire; by phase, with the ones never assigned (the bench's watch"
                + " sees assigned ones only): "
                + phases(client, fire.schedule));
      }
    }
  }

  /** How many snapshots of the schedule are in each phase, and how many were never assigned. */
  private static Map<String, Long> phases(KubernetesClient client, String schedule) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (QuiescedSnapshot s :
        client
            .resources(QuiescedSnapshot.class)
            .inNamespace(NAMESPACE)
            .withLabel(Provenance.SCHEDULE, schedule)
            .list()
            .getItems()) {
      String phase = s.getStatus() == null ? "no status" : String.valueOf(s.getStatus().getPhase());
      boolean assigned =
          s.getMetadata().getLabels() != null
              && s.getMetadata().getLabels().containsKey(Provenance.NODE);
      counts.merge(phase + (assigned ? "" : " (never assigned)"), 1L, Long::sum);
    }
    return counts;
  }

  /** The operator's highest RSS sampled in the round (both fires). */
  private static final class Peak {
    private ProcStatus status;

    Peak(ProcStatus first) {
      this.status = first;
    }

    void sample(ProcStatus now) {
      status = now.rssKiB() > status.rssKiB() ? now : status;
    }
  }

  private static PhaseResult result(
      int vms,
      int cap,
      Duration cutDelay,
      long wallMs,
      Terminal terminal,
      Optional<WarmUpFire> warmUp,
      FakeNodeHelper helper,
      Map<String, String> steps,
      Map<ApiRequestCounter.Key, Long> requests,
      ProcStatus peak,
      ProcStatus end,
      ProcStatus settled,
      double heapAfter,
      double heapSettled,
      double benchJvmCpuMsPerSnapshot,
      OperatorWork fire) {
    long succeeded = terminal.succeeded();
    String incomplete =
        succeeded == vms
            ? null
            : "expected "
                + vms
                + " Succeeded/FilesystemConsistent snapshots, got "
                + terminal.outcomes();
    if (warmUp.isPresent() && warmUp.get().succeeded() != warmUp.get().vms()) {
      String warmIncomplete =
          "warm-up: expected "
              + warmUp.get().vms()
              + " Succeeded/FilesystemConsistent snapshots, got "
              + warmUp.get().succeeded();
      incomplete = incomplete == null ? warmIncomplete : incomplete + "; " + warmIncomplete;
    }
    double idealMs = Math.ceil((double) vms / cap) * cutDelay.toMillis();
    long operatorRequests =
        requests.entrySet().stream()
            .filter(e -> !e.getKey().client().equals(FAKES))
            .mapToLong(Map.Entry::getValue)
            .sum();
    long fakeRequests =
        requests.entrySet().stream()
            .filter(e -> e.getKey().client().equals(FAKES))
            .mapToLong(Map.Entry::getValue)
            .sum();
    Map<String, Long> operatorByKind = new LinkedHashMap<>();
    requests.entrySet().stream()
        .filter(e -> !e.getKey().client().equals(FAKES))
        .sorted(Map.Entry.<ApiRequestCounter.Key, Long>comparingByValue().reversed())
        .forEach(
            e -> operatorByKind.put(e.getKey().verb() + " " + e.getKey().resource(), e.getValue()));
    double freezeMedian = Percentiles.median(terminal.freezeMs);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("vms", vms);
    figures.put(
        "loadAverageAfter",
        BenchReport.loadAverage()); // a shared machine: read the figures against it
    figures.put("clusterCap", cap);
    figures.put("testServerEventLoops", Integer.getInteger(EVENT_LOOPS, 1));
    figures.put("cutDelayMs", cutDelay.toMillis());
    figures.put("wallMs", wallMs);
    figures.put("idealMs", idealMs);
    figures.put("freezeMedianMs", freezeMedian);
    figures.put("peakFrozenInCluster", helper.maxFrozenInCluster());
    figures.put("fakeHelperRenewalsFailed", helper.renewalsFailed());
    figures.put("operatorRequestsPerSnapshot", (double) operatorRequests / vms);
    figures.put("fakeRequestsPerSnapshot", (double) fakeRequests / vms);
    figures.put("operatorRequestsByVerbResource", operatorByKind);
    figures.put("fakeRequestsByVerbResource", byVerbResource(requests, true));
    figures.put("stepMediansMs", steps);
    figures.put("benchJvmCpuMsPerSnapshot", benchJvmCpuMsPerSnapshot);
    figures.put("benchJvmFlags", benchJvmFlags());
    figures.put("operatorRssPeakMiB", peak.rssMiB());
    figures.put("operatorRssEndMiB", end.rssMiB());
    figures.put("operatorRssSettledMiB", settled.rssMiB());
    figures.put("operatorHwmMiB", settled.hwmMiB());
    figures.put("operatorHeapEndMiB", heapAfter / (1 << 20));
    figures.put("operatorHeapSettledMiB", heapSettled / (1 << 20));
    figures.put("operatorCpuMsDuringFire", fire.cpuMs());
    figures.put("operatorCpuMsPerSnapshot", (double) fire.cpuMs() / vms);
    if (fire.reconciles() >= 0) {
      figures.put("operatorReconcilesPerSnapshot", fire.reconciles() / vms);
      figures.put("operatorScheduleReconcilesPerSnapshot", fire.scheduleReconciles() / vms);
    }
    figures.put("warmupVms", 0);
    warmUp.ifPresent(w -> figures.putAll(w.figures()));
    String what = vms + " fake VMs, cap " + cap + ", cut " + cutDelay.toMillis() + " ms";
    List<BenchRow> rows =
        new ArrayList<>(
            List.of(
                new BenchRow(
                    PHASE,
                    "fire to all terminal (ms), " + what,
                    wallMs,
                    idealMs,
                    "baseline: ideal ceil(N/cap) x cut delay"),
                new BenchRow(
                    PHASE,
                    "freeze per snapshot, median (ms)",
                    freezeMedian,
                    (double) cutDelay.toMillis(),
                    "status.freeze.durationMs (fake helper) vs the cut delay"),
                new BenchRow(
                    PHASE,
                    "peak concurrent freezes",
                    helper.maxFrozenInCluster(),
                    (double) cap,
                    "seen by the fake helper vs the cap, in either fire"),
                new BenchRow(
                    PHASE,
                    "operator API requests per snapshot",
                    (double) operatorRequests / vms,
                    null,
                    "counted at the API server, operator's User-Agent only"),
                new BenchRow(
                    PHASE,
                    "bench JVM CPU per snapshot during the fire (ms)",
                    benchJvmCpuMsPerSnapshot,
                    null,
                    "the test API server, the fakes and the bench's informer, not the operator; its"
                        + " JVM flags: "
                        + benchJvmFlags()),
                new BenchRow(
                    PHASE,
                    "operator RSS peak during the round (MiB)",
                    peak.rssMiB(),
                    null,
                    "VmRSS sampled each second; VmHWM "
                        + Math.round(settled.hwmMiB())
                        + " MiB; container limit "
                        + memoryLimit
                        + " (-XX:MaxRAM)"),
                new BenchRow(
                    PHASE,
                    "operator heap used after the round (MiB)",
                    heapAfter / (1 << 20),
                    null,
                    "jvm_memory_used_bytes{area=heap} from its /metrics; after a GC: "
                        + Math.round(heapSettled / (1 << 20))
                        + " MiB"),
                new BenchRow(
                    PHASE,
                    "operator CPU per snapshot during the fire (ms)",
                    (double) fire.cpuMs() / vms,
                    null,
                    "utime+stime of its process (/proc/<pid>/stat) from the fire to all terminal"
                        + (fire.reconciles() >= 0
                            ? "; "
                                + Math.round(fire.reconciles() / vms * 10) / 10.0
                                + " reconciles per snapshot"
                            : ""))));
    warmUp.ifPresent(
        w -> rows.addAll(w.rows(PHASE, (double) fire.cpuMs() / vms, benchJvmCpuMsPerSnapshot)));
    int peakFrozen = helper.maxFrozenInCluster();
    figures.put("succeeded", succeeded);
    System.out.printf(
        "peak concurrent freezes %d, cap %d; %d of %d snapshots Succeeded/FilesystemConsistent%n",
        peakFrozen, cap, succeeded, vms);
    // the cap is a safety limit, not a figure: above it the phase fails; either failure keeps the
    // figures
    String capExceeded =
        peakFrozen > cap
            ? "peak of " + peakFrozen + " concurrent freezes above the cap of " + cap
            : null;
    if (capExceeded != null || incomplete != null) {
      return new PhaseResult(
          PHASE,
          false,
          figures,
          rows,
          capExceeded != null && incomplete != null
              ? capExceeded + "; " + incomplete
              : capExceeded != null ? capExceeded : incomplete);
    }
    return PhaseResult.ok(PHASE, figures, rows);
  }

  private static Map<String, Long> byVerbResource(
      Map<ApiRequestCounter.Key, Long> requests, boolean fakes) {
    Map<String, Long> byKind = new LinkedHashMap<>();
    requests.entrySet().stream()
        .filter(e -> e.getKey().client().equals(FAKES) == fakes)
        .sorted(Map.Entry.<ApiRequestCounter.Key, Long>comparingByValue().reversed())
        .forEach(
            e ->
                byKind.merge(
                    e.getKey().verb() + " " + e.getKey().resource(), e.getValue(), Long::sum));
    return byKind;
  }

  /**
   * N running VMs with one PVC disk each, spread over the nodes, created 4 at a time (or {@code
   * -Dquiesce.bench.seedThreads}): set-up, not a figure. Each VM costs 13 writes, all answered on
   * the test server's one event loop under its write lock (custom resources checked against their
   * CRD schemas there), which bounds the rate whatever the threads (5,000 VMs: 227-298 s at 16
   * threads on the shared machine at load 20-40).
   */
  private static void seed(KubernetesClient client, String prefix, int vms, String fire)
      throws Exception {
    ExecutorService pool =
        Executors.newFixedThreadPool(Integer.getInteger("quiesce.bench.seedThreads", 4));
    try {
      List<Future<?>> created = new ArrayList<>();
      for (int i = 0; i < vms; i++) {
        String name = String.format("%s-%04d", prefix, i);
        String node = "node-" + (i % NODES);
        created.add(
            pool.submit(
                () -> {
                  VmScenario vm =
                      Fixtures.runningVm(NAMESPACE, name)
                          .onNode(node)
                          .withPvcDisk("root", name + "-root", "1Gi")
                          .build();
                  Map<String, String> labels = new HashMap<>(vm.vm().getMetadata().getLabels());
                  labels.put(FIRE_LABEL, fire);
                  vm.vm().getMetadata().setLabels(labels);
                  return vm.create(client);
                }));
      }
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Creates the schedule {@code name} over its VMs firing once, at the start of a minute at least 5
   * s away so that the operator has seen it when the minute comes; returns that minute (the fire).
   */
  private static Instant createScheduleBeforeNextMinute(KubernetesClient client, String name) {
    Instant now = Instant.now();
    Instant slot = now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
    if (Duration.between(now, slot).toSeconds() < 5) {
      slot = slot.plus(1, ChronoUnit.MINUTES);
    }
    QuiescedSnapshotSchedule wanted = schedule(name, slot);
    try {
      client.resource(wanted).create();
    } catch (KubernetesClientException e) {
      // the client retries a POST that timed out on a busy server; the retry then finds the
      // first attempt's schedule: ours if it fires at the same minute
      QuiescedSnapshotSchedule stored = e.getCode() == 409 ? client.resource(wanted).get() : null;
      if (stored == null
          || !stored.getSpec().getSchedule().equals(wanted.getSpec().getSchedule())) {
        throw e;
      }
    }
    return slot;
  }

  /**
   * A schedule over the VMs labelled for it whose only fire this year is {@code slot}, so a round
   * longer than a minute is not fired again.
   */
  private static QuiescedSnapshotSchedule schedule(String name, Instant slot) {
    java.time.ZonedDateTime at = slot.atZone(java.time.ZoneOffset.UTC);
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(QuiesceMode.Required);
    quiesce.setTimeout(QUIESCE_TIMEOUT.toSeconds() + "s");
    SnapshotOptions options = new SnapshotOptions();
    options.setQuiesce(quiesce);
    options.setFailureDeadline("30m");
    SnapshotTemplate template = new SnapshotTemplate();
    template.setSpec(options);
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule(
        at.getMinute()
            + " "
            + at.getHour()
            + " "
            + at.getDayOfMonth()
            + " "
            + at.getMonthValue()
            + " *");
    spec.setTimeZone("UTC");
    spec.setVmSelector(new LabelSelectorBuilder().addToMatchLabels(FIRE_LABEL, name).build());
    spec.setStartingDeadlineSeconds(30L);
    spec.setTemplate(template);
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName(name);
    schedule.getMetadata().setNamespace(NAMESPACE);
    schedule.setSpec(spec);
    return schedule;
  }

  /**
   * As in a pod, the operator authenticates with a bearer token (the test server accepts any):
   * without one, fabric8's token interceptor re-reads its whole configuration (system properties,
   * environment) before every request, looking for a token to refresh, which cost a tenth of the
   * operator's CPU in a fire and is not what it does in a cluster (there it refreshes the service
   * account's token once a minute).
   */
  private static Map<String, String> kubeProperties(KubeApiServer server) {
    return Map.of(
        "kubernetes.auth.token",
        "scale-bench",
        "kubernetes.master",
        server.url("/"),
        "kubernetes.auth.tryKubeConfig",
        "false",
        "kubernetes.auth.tryServiceAccount",
        "false",
        "kubernetes.namespace",
        NAMESPACE,
        "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
        "error");
  }

  /**
   * This JVM's CPU time (every thread, GC and JIT included), which load on a shared machine does
   * not distort as it does wall time.
   */
  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * This JVM's -X options and java.util.concurrent properties (hack/bench.sh's choice for the scale
   * phase), "defaults" when none.
   */
  private static String benchJvmFlags() {
    List<String> flags =
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-X") || a.startsWith("-Djava.util.concurrent."))
            .toList();
    return flags.isEmpty() ? "defaults" : String.join(" ", flags);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /**
   * The operator's CPU time and reconciles (JOSDK's counter on its /metrics, -1 when it has none)
   * over a span: CPU time is what a loaded machine does not distort.
   */
  private record OperatorWork(long cpuMs, double reconciles, double scheduleReconciles) {

    /** JOSDK's counter (micrometer support), absent until a controller's first reconcile. */
    private static final String STARTED = "reconciliations_started_total";

    /** Waits until {@code fire} (sampling nothing else: the operator is idle) and reads there. */
    static OperatorWork before(ComponentProcess operator, Instant fire) throws Exception {
      long untilFire = Duration.between(Instant.now(), fire).toMillis();
      if (untilFire > 0) {
        TimeUnit.MILLISECONDS.sleep(untilFire); // a point in time to read at, not a synchronization
      }
      return of(operator);
    }

    static OperatorWork of(ComponentProcess operator) throws Exception {
      Optional<String> metrics = operator.metrics();
      return new OperatorWork(
          operator.cpu().millis(),
          metrics.map(m -> started(m, QuiescedSnapshotReconciler.NAME)).orElse(-1.0),
          metrics.map(m -> started(m, QuiescedSnapshotScheduleReconciler.NAME)).orElse(-1.0));
    }

    private static double started(String metrics, String controller) {
      return metrics.contains(STARTED + "{controller_name=\"" + controller + "\"")
          ? PrometheusText.sum(metrics, STARTED, "controller_name", controller)
          : 0;
    }

    /** What the operator did from this reading until now. */
    OperatorWork until(ComponentProcess operator) throws Exception {
      OperatorWork now = of(operator);
      return new OperatorWork(
          now.cpuMs - cpuMs,
          reconciles < 0 || now.reconciles < 0 ? -1 : now.reconciles - reconciles,
          scheduleReconciles < 0 || now.scheduleReconciles < 0
              ? -1
              : now.scheduleReconciles - scheduleReconciles);
    }
  }

  /**
   * Watches the snapshots of one schedule and notes when the last of its fire becomes terminal, and
   * when they are all deleted.
   */
  private static final class Terminal implements ResourceEventHandler<QuiescedSnapshot> {
    private final String schedule;
    private final int expected;
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private final Map<String, Instant> inProgressAt = new ConcurrentHashMap<>();
    private final Map<String, Instant> terminalAt = new ConcurrentHashMap<>();
    private final Map<String, String> volumeSnapshot = new ConcurrentHashMap<>();
    private final List<Long> freezeMs = java.util.Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch all = new CountDownLatch(1);
    private final CountDownLatch gone;
    private volatile Instant lastAt;

    Terminal(String schedule, int expected) {
      this.schedule = schedule;
      this.expected = expected;
      this.gone = new CountDownLatch(expected);
    }

    private boolean ours(QuiescedSnapshot s) {
      Map<String, String> labels = s.getMetadata().getLabels();
      return labels != null && schedule.equals(labels.get(Provenance.SCHEDULE));
    }

    long succeeded() {
      return seen.values().stream().filter(s -> s.equals("Succeeded/FilesystemConsistent")).count();
    }

    @Override
    public void onAdd(QuiescedSnapshot s) {
      onUpdate(null, s);
    }

    @Override
    public void onUpdate(QuiescedSnapshot old, QuiescedSnapshot s) {
      if (!ours(s)) {
        return;
      }
      var status = s.getStatus();
      String key = s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
      if (status != null && status.getPhase() == SnapshotPhase.InProgress) {
        inProgressAt.putIfAbsent(key, Instant.now());
      }
      if (status == null
          || (status.getPhase() != SnapshotPhase.Succeeded
              && status.getPhase() != SnapshotPhase.Failed)) {
        return;
      }
      String outcome =
          status.getPhase()
              + "/"
              + status.getConsistency()
              + Conditions.find(status.getConditions(), "Failed")
                  .map(c -> " (" + c.getReason() + ": " + c.getMessage() + ")")
                  .orElse("");
      if (seen.putIfAbsent(s.getMetadata().getUid(), outcome) == null) {
        terminalAt.put(key, Instant.now());
        if (status.getVolumeSnapshots() != null && !status.getVolumeSnapshots().isEmpty()) {
          volumeSnapshot.put(key, status.getVolumeSnapshots().get(0).getVolumeSnapshotName());
        }
        if (status.getFreeze() != null && status.getFreeze().getDurationMs() != null) {
          freezeMs.add(status.getFreeze().getDurationMs());
        }
        if (seen.size() >= expected) {
          lastAt = Instant.now();
          all.countDown();
        }
      }
    }

    @Override
    public void onDelete(QuiescedSnapshot s, boolean unknown) {
      if (ours(s)) {
        gone.countDown();
      }
    }

    /**
     * Each terminal snapshot's steps, as the bench, the fake helper and the snapshotter saw them.
     */
    List<FreezeSteps.Seen> steps(FakeNodeHelper helper, FakeSnapshotter csi) {
      Map<String, FakeNodeHelper.Timeline> timelines = helper.timelines();
      List<FreezeSteps.Seen> all = new ArrayList<>();
      terminalAt.forEach(
          (key, at) -> {
            String vs = volumeSnapshot.get(key);
            all.add(
                new FreezeSteps.Seen(
                    inProgressAt.get(key),
                    at,
                    timelines.get(key),
                    vs == null
                        ? null
                        : csi.record(key.substring(0, key.indexOf('/')), vs).orElse(null)));
          });
      return all;
    }

    Map<String, Long> outcomes() {
      Map<String, Long> counts = new java.util.TreeMap<>();
      seen.values().forEach(v -> counts.merge(v, 1L, Long::sum));
      return counts;
    }
  }
}
