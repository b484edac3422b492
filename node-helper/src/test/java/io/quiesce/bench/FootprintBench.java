package io.quiesce.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark phase "footprint" of {@code hack/bench.sh} (not a test): the resident memory of the
 * node helper and the operator, each its own process ({@code java -jar ... run}), idle after
 * start-up and a GC settle, and their start-up time to ready (process start to {@code /readyz}
 * 200), with the JVM flags the Helm chart passes and, as the baseline, with none; both see the
 * chart's container memory limit as their RAM ({@code -XX:MaxRAM}), as they would in the cluster.
 * The helper's idle and start-up rows are medians of {@link #REPEAT} starts alone (on its node no
 * operator starts beside it), interleaved with as many starts with JVM defaults, with its CPU time
 * to ready (which the machine's load distorts less than the wall clock) and the load average; one
 * more start beside the operator (both at once) is a secondary row. The helper's class-data archive
 * is dumped from the committed class list as node-helper/Dockerfile dumps it, and a fresh class
 * list is recorded (a start to ready with {@code -XX:DumpLoadedClassList}) into the output, with
 * the count of classes it has that the committed one lacks. Then the helper's memory during 10
 * concurrent freezes: 10 VMs whose guest agents are FAKES served by {@link FakeAgentFarm} in
 * another process, a FAKE snapshotter that cuts after 3 s so the 10 windows overlap. The API is the
 * test kit's in-JVM server (not a real cluster).
 *
 * <p>Usage: {@code FootprintBench <operator.jar> <node-helper.jar> <values.yaml> <work dir> <out
 * dir>}
 */
public final class FootprintBench {

  private static final String PHASE = "footprint";
  private static final String NAMESPACE = "bench";
  private static final String SYSTEM_NAMESPACE = "quiesce-system";
  private static final int GUESTS = 10;
  private static final Duration CUT_DELAY = Duration.ofSeconds(3);
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
  private static final String ARCHIVE_FLAG = "-XX:SharedArchiveFile=";
  static final String CANDIDATES_PROPERTY = "quiesce.bench.footprint.candidates";
  private static final int REPEAT = Integer.getInteger("quiesce.bench.footprint.repeat", 3);

  /**
   * The class list the image's archive is dumped from (node-helper/Dockerfile); default: {@code
   * node-helper/src/main/cds/node-helper.classlist} of the tree the values file is in.
   */
  static final String CLASS_LIST_PROPERTY = "quiesce.bench.footprint.classlist";

  /** When true, each idle process's threads are dumped (jcmd Thread.print) into the output. */
  static final String THREAD_DUMPS_PROPERTY = "quiesce.bench.footprint.threadDumps";

  private final KubeApiServer server;
  private final Path operatorJar;
  private final Path helperJar;
  private final Path work;
  private final Path out;
  private final Path classList;

  private FootprintBench(
      KubeApiServer server, Path operatorJar, Path helperJar, Path work, Path out, Path classList) {
    this.server = server;
    this.operatorJar = operatorJar;
    this.helperJar = helperJar;
    this.work = work;
    this.out = out;
    this.classList = classList;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println(
          "usage: FootprintBench <operator.jar> <node-helper.jar> <values.yaml> <work dir> <out dir>");
      System.exit(2);
    }
    Path out = Path.of(args[4]);
    PhaseResult result;
    try (KubeApiServer server = KubeApiServer.start()) {
      Path values = Path.of(args[2]);
      Path classList =
          Path.of(
              System.getProperty(
                  CLASS_LIST_PROPERTY,
                  values
                      .toAbsolutePath()
                      .getParent()
                      .resolve("../../node-helper/src/main/cds/node-helper.classlist")
                      .normalize()
                      .toString()));
      FootprintBench bench =
          new FootprintBench(
              server, Path.of(args[0]), Path.of(args[1]), Path.of(args[3]), out, classList);
      result =
          bench.run(
              new Flags(
                  ChartJvmFlags.containerMaxRam(values, "operator"),
                  ChartJvmFlags.of(values, "operator")),
              new Flags(
                  ChartJvmFlags.containerMaxRam(values, "nodeHelper"),
                  bench.withTrainedArchive(ChartJvmFlags.of(values, "nodeHelper"))));
    } catch (Exception e) {
      e.printStackTrace();
      result = PhaseResult.failed(PHASE, e);
    }
    result.write(out);
    System.exit(result.ok() ? 0 : 1);
  }

  /**
   * A component's JVM flags: the container's memory limit as the JVM would see it in the cluster
   * ({@code -XX:MaxRAM}, always) and the chart's {@code jvmFlags} (left out for the baseline).
   */
  private record Flags(String containerLimit, List<String> chart) {
    List<String> withChart() {
      List<String> all = new ArrayList<>(chart);
      all.add(0, containerLimit);
      return all;
    }

    List<String> withoutChart() {
      return List.of(containerLimit);
    }
  }

  /**
   * Start-up to ready and idle memory of one component process; its CPU time (user + system, all
   * its threads) when first ready, and the machine's 1-minute load average as it started.
   */
  private record Idle(
      long readyMs, ProcStatus memory, double heapMiB, int threads, long cpuMs, double load) {}

  /** The medians of several starts of one flag set. */
  private record Starts(List<Idle> runs) {
    double readyMs() {
      return Percentiles.median(runs.stream().map(Idle::readyMs).toList());
    }

    double rssMiB() {
      return Percentiles.median(runs.stream().map(r -> r.memory().rssMiB()).toList());
    }

    double cpuMs() {
      return Percentiles.median(runs.stream().map(Idle::cpuMs).toList());
    }

    double threads() {
      return Percentiles.median(runs.stream().map(Idle::threads).toList());
    }

    double heapMiB() {
      return Percentiles.median(runs.stream().map(Idle::heapMiB).toList());
    }

    String loads() {
      DoubleSummaryStatistics loads = runs.stream().mapToDouble(Idle::load).summaryStatistics();
      return String.format(Locale.ROOT, "%.1f-%.1f", loads.getMin(), loads.getMax());
    }
  }

  private PhaseResult run(Flags operatorFlags, Flags helperFlags) throws Exception {
    KubernetesClient client = server.client();
    for (String ns : List.of(NAMESPACE, SYSTEM_NAMESPACE)) {
      client
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    Path sockets = Files.createDirectories(work.resolve("s"));
    List<String> agentDirs = new ArrayList<>();
    for (int i = 0; i < GUESTS; i++) {
      VmScenario vm =
          Fixtures.runningVm(NAMESPACE, "vm-" + i)
              .withPvcDisk("data", "vm-" + i + "-data", "1Gi")
              .create(client);
      agentDirs.add(sockets.resolve(vm.launcherPods().get(0).getMetadata().getUid()).toString());
    }
    Process agents = startAgents(agentDirs);
    try {
      ClassListCheck classes = recordClassList(helperFlags, helperEnv(sockets));
      // alone, as on its node: the chart's flags and JVM defaults interleaved, so that a change of
      // load hits both alike
      List<Idle> alone = new ArrayList<>();
      List<Idle> bare = new ArrayList<>();
      for (int i = 0; i < REPEAT; i++) {
        bare.add(idle(helperJar, helperFlags.withoutChart(), helperEnv(sockets), "helper-noflags"));
        alone.add(idle(helperJar, helperFlags.withChart(), helperEnv(sockets), "helper-alone"));
        System.out.printf(
            "helper alone run %d: chart's flags ready %d ms, CPU %d ms, RSS %.1f MiB (load %.1f);"
                + " JVM defaults ready %d ms, CPU %d ms, RSS %.1f MiB (load %.1f)%n",
            i + 1,
            alone.get(i).readyMs(),
            alone.get(i).cpuMs(),
            alone.get(i).memory().rssMiB(),
            alone.get(i).load(),
            bare.get(i).readyMs(),
            bare.get(i).cpuMs(),
            bare.get(i).memory().rssMiB(),
            bare.get(i).load());
      }
      Starts helperAlone = new Starts(alone);
      Starts helperBare = new Starts(bare);
      Idle operatorBare =
          idle(operatorJar, operatorFlags.withoutChart(), operatorEnv(), "operator-noflags");
      Idle operatorIdle = idle(operatorJar, operatorFlags.withChart(), operatorEnv(), "operator");
      PhaseResult result;
      double besideLoad = loadAverage();
      try (ComponentProcess helper =
              start(helperJar, helperFlags.withChart(), helperEnv(sockets), "helper");
          ComponentProcess operator =
              start(operatorJar, operatorFlags.withChart(), operatorEnv(), "operator-freezes");
          FakeSnapshotter csi =
              FakeSnapshotter.start(server.newClient(), CUT_DELAY, Duration.ofMillis(100))) {
        long helperReadyMs = helper.awaitReady(READY_TIMEOUT);
        long helperCpuMs = cpuMs(helper.pid());
        operator.awaitReady(READY_TIMEOUT);
        ProcStatus helperIdle = helper.settledMemory();
        Idle besideOperator =
            new Idle(
                helperReadyMs,
                helperIdle,
                helper.heapUsedBytes() / (1 << 20),
                threads(helper.pid()),
                helperCpuMs,
                besideLoad);
        Freezes freezes = tenConcurrentFreezes(client, helper);
        result =
            result(
                helperAlone,
                helperBare,
                besideOperator,
                operatorIdle,
                operatorBare,
                freezes,
                classes);
      }
      // alone, as the idle figures above: no other helper or operator running
      return candidates(helperFlags, helperEnv(sockets), result);
    } finally {
      agents.destroy();
      agents.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Candidate JVM flags for the helper, each measured {@link #REPEAT} times, interleaved with the
   * chart's current flags so that a change of load on the machine hits all alike; one row per
   * candidate with the medians, the chart's median as the baseline. Read from the file named by the
   * system property {@value #CANDIDATES_PROPERTY} (none when unset): one candidate per line, {@code
   * name | flags}, where the flags replace the chart's ({@code @chart@} stands for them, so
   * {@code @chart@ -XX:TieredStopAtLevel=1} adds one), {@code @chart-no-cds@} for them without
   * their archive, {@code @cds@} for a class-data archive dumped in this run as the image build
   * dumps it ({@link #dumpArchive}), {@code @cds-run@} for one trained as the image build did
   * before its class list (a run with no API server, {@link #trainArchive}), {@code @cds-served@}
   * for one trained against this run's API server as far as ready ({@link #trainServedArchive}),
   * and {@code env:NAME=VALUE} sets an environment variable of that candidate's process (e.g.
   * glibc's {@code MALLOC_ARENA_MAX}); {@code jar:PATH} runs another build of the helper (e.g.
   * main's, to measure a change of code against it in the same run), with an archive trained on
   * that jar.
   */
  private PhaseResult candidates(Flags chart, Map<String, String> env, PhaseResult result)
      throws Exception {
    String file = System.getProperty(CANDIDATES_PROPERTY);
    if (file == null || file.isBlank()) {
      return result;
    }
    Map<String, List<String>> candidates = new LinkedHashMap<>();
    Map<String, Map<String, String>> envs = new LinkedHashMap<>();
    Map<String, Path> jars = new LinkedHashMap<>();
    candidates.put("chart", chart.withChart());
    envs.put("chart", env);
    jars.put("chart", helperJar);
    for (String line : Files.readAllLines(Path.of(file))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\|", 2);
      String[] tokens = parts[1].trim().split("\\s+");
      Path jar = helperJar;
      for (String token : tokens) {
        if (token.startsWith("jar:")) {
          jar = Path.of(token.substring(4));
        }
      }
      List<String> flags = new ArrayList<>(List.of(chart.containerLimit()));
      Map<String, String> candidateEnv = new LinkedHashMap<>(env);
      for (String flag : tokens) {
        if (flag.startsWith("env:") && flag.indexOf('=') > 4) {
          candidateEnv.put(
              flag.substring(4, flag.indexOf('=')), flag.substring(flag.indexOf('=') + 1));
        } else if (flag.startsWith("jar:")) {
          continue;
        } else if (flag.equals("@chart@")) {
          // the chart's archive, dumped for this candidate's jar (an archive fits one jar only)
          for (String chartFlag : chart.chart()) {
            flags.add(
                chartFlag.startsWith(ARCHIVE_FLAG)
                    ? ARCHIVE_FLAG + dumpArchive(chart.chart(), jar)
                    : chartFlag);
          }
        } else if (flag.equals("@chart-no-cds@")) {
          chart.chart().stream().filter(f -> !f.startsWith(ARCHIVE_FLAG)).forEach(flags::add);
        } else if (flag.equals("@cds@")) {
          flags.add(ARCHIVE_FLAG + dumpArchive(chart.chart(), jar));
        } else if (flag.equals("@cds-run@")) {
          flags.add(ARCHIVE_FLAG + trainArchive(chart.chart(), jar));
        } else if (flag.equals("@cds-served@")) {
          flags.add(ARCHIVE_FLAG + trainServedArchive(chart, env, jar));
        } else {
          flags.add(flag);
        }
      }
      candidates.put(parts[0].trim(), flags);
      envs.put(parts[0].trim(), candidateEnv);
      jars.put(parts[0].trim(), jar);
    }
    Map<String, List<Idle>> runs = new LinkedHashMap<>();
    for (int i = 0; i < REPEAT; i++) {
      for (Map.Entry<String, List<String>> candidate : candidates.entrySet()) {
        Idle idle =
            idle(
                jars.get(candidate.getKey()),
                candidate.getValue(),
                envs.get(candidate.getKey()),
                "helper-candidate");
        runs.computeIfAbsent(candidate.getKey(), k -> new ArrayList<>()).add(idle);
        System.out.printf(
            "candidate %s run %d: ready %d ms, CPU %d ms, RSS %.1f MiB, heap %.1f MiB, threads %d"
                + " (load %.1f)%n",
            candidate.getKey(),
            i + 1,
            idle.readyMs(),
            idle.cpuMs(),
            idle.memory().rssMiB(),
            idle.heapMiB(),
            idle.threads(),
            idle.load());
      }
    }
    double chartReady = Percentiles.median(runs.get("chart").stream().map(Idle::readyMs).toList());
    double chartRss =
        Percentiles.median(runs.get("chart").stream().map(r -> r.memory().rssMiB()).toList());
    double chartCpu = new Starts(runs.get("chart")).cpuMs();
    List<BenchRow> rows = new ArrayList<>(result.rows());
    Map<String, Object> figures = new LinkedHashMap<>(result.figures());
    for (Map.Entry<String, List<Idle>> run : runs.entrySet()) {
      double ready = Percentiles.median(run.getValue().stream().map(Idle::readyMs).toList());
      double rss =
          Percentiles.median(run.getValue().stream().map(r -> r.memory().rssMiB()).toList());
      double threads = Percentiles.median(run.getValue().stream().map(Idle::threads).toList());
      Starts starts = new Starts(run.getValue());
      Map<String, String> extraEnv = new LinkedHashMap<>(envs.get(run.getKey()));
      extraEnv.keySet().removeAll(env.keySet());
      String how =
          "median of "
              + REPEAT
              + ", interleaved, load average "
              + starts.loads()
              + "; baseline: the chart's jvmFlags, same run; flags: "
              + String.join(" ", candidates.get(run.getKey()))
              + (extraEnv.isEmpty() ? "" : "; env: " + extraEnv)
              + (jars.get(run.getKey()).equals(helperJar)
                  ? ""
                  : "; jar: " + jars.get(run.getKey()));
      rows.add(
          new BenchRow(
              PHASE, "helper candidate '" + run.getKey() + "' RSS idle (MiB)", rss, chartRss, how));
      rows.add(
          new BenchRow(
              PHASE,
              "helper candidate '" + run.getKey() + "' start-up to ready (ms)",
              ready,
              chartReady,
              how));
      rows.add(
          new BenchRow(
              PHASE,
              "helper candidate '" + run.getKey() + "' CPU to ready (ms)",
              starts.cpuMs(),
              chartCpu,
              how));
      figures.put(
          "candidate." + run.getKey(),
          Map.of(
              "readyMs",
              ready,
              "readyCpuMs",
              starts.cpuMs(),
              "idleRssMiB",
              rss,
              "threads",
              threads,
              "flags",
              candidates.get(run.getKey())));
    }
    return PhaseResult.ok(PHASE, figures, rows);
  }

  /**
   * The chart's flags, with the image's class-data archive ({@code -XX:SharedArchiveFile=/app/...},
   * which exists only in the image) replaced by one dumped here the way node-helper/Dockerfile
   * dumps it; unchanged when the chart names no archive.
   */
  private List<String> withTrainedArchive(List<String> chart) throws Exception {
    List<String> flags = new ArrayList<>();
    for (String flag : chart) {
      flags.add(
          flag.startsWith(ARCHIVE_FLAG) ? ARCHIVE_FLAG + dumpArchive(chart, helperJar) : flag);
    }
    return flags;
  }

  /**
   * A class-data archive of the helper, made as node-helper/Dockerfile makes it: a static dump
   * ({@code -Xshare:dump}) of the committed class list, with the chart's flags, the jar as the
   * class path.
   */
  private String dumpArchive(List<String> chart, Path jar) throws Exception {
    Path archive =
        work.resolve(
            (jar.equals(helperJar)
                    ? "helper"
                    : "helper-" + Integer.toHexString(jar.toAbsolutePath().hashCode()))
                + "-classlist.jsa");
    if (Files.isRegularFile(archive)) {
      return archive.toString();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:dump",
                "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + archive));
    chart.stream().filter(f -> !f.startsWith(ARCHIVE_FLAG)).forEach(command::add);
    command.addAll(List.of("-cp", jar.toString()));
    Path log = out.resolve("footprint-helper-cds-dump.log");
    Process dump =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!dump.waitFor(5, TimeUnit.MINUTES) || dump.exitValue() != 0) {
      dump.destroyForcibly();
      throw new IllegalStateException(
          "the class-data dump wrote no archive " + archive + " (see " + log + ")");
    }
    return archive.toString();
  }

  /** A fresh class list's size and how many of its classes the committed one lacks. */
  private record ClassListCheck(int recorded, int missing) {}

  /**
   * One start of the helper to ready with the chart's flags but no archive, recording every class
   * it loads ({@code -XX:DumpLoadedClassList}), then SIGTERM; the list (without the lines the
   * committed one leaves out, see node-helper/Dockerfile) goes to {@code
   * footprint-node-helper.classlist} in the output, compared with the committed list.
   */
  private ClassListCheck recordClassList(Flags chart, Map<String, String> env) throws Exception {
    Path raw = work.resolve("recorded.classlist");
    List<String> flags = new ArrayList<>(List.of(chart.containerLimit()));
    chart.chart().stream().filter(f -> !f.startsWith(ARCHIVE_FLAG)).forEach(flags::add);
    flags.add("-XX:DumpLoadedClassList=" + raw);
    try (ComponentProcess recording = start(helperJar, flags, env, "classlist-recording")) {
      recording.awaitReady(READY_TIMEOUT);
    }
    List<String> recorded = HelperClassList.withoutRegeneratedLines(Files.readAllLines(raw));
    Files.write(out.resolve("footprint-node-helper.classlist"), recorded);
    Set<String> committed = HelperClassList.classNames(Files.readAllLines(classList));
    Set<String> fresh = HelperClassList.classNames(recorded);
    Set<String> missing = new TreeSet<>(fresh);
    missing.removeAll(committed);
    System.out.printf(
        "class list: %d classes recorded to ready, %d not in %s: %s%n",
        fresh.size(), missing.size(), classList, missing.stream().limit(20).toList());
    return new ClassListCheck(fresh.size(), missing.size());
  }

  /**
   * A class-data archive of the helper made as node-helper/Dockerfile made it before its class
   * list: {@code run} with the chart's flags plus {@code -XX:ArchiveClassesAtExit}, no API server
   * reachable, stopped by SIGTERM once its start-up got as far as it can without one (30 s at
   * most); the JVM writes it on exit. For a candidate, {@code @cds-run@}: the archive of before.
   */
  private String trainArchive(List<String> chart, Path jar) throws Exception {
    Path archive =
        jar.equals(helperJar)
            ? work.resolve("helper.jsa")
            : work.resolve(
                "helper-" + Integer.toHexString(jar.toAbsolutePath().hashCode()) + ".jsa");
    if (Files.isRegularFile(archive)) {
      return archive.toString();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + archive));
    chart.stream().filter(f -> !f.startsWith(ARCHIVE_FLAG)).forEach(command::add);
    command.addAll(List.of("-jar", jar.toString(), "run"));
    Path sockets = Files.createDirectories(work.resolve("training-sockets"));
    Path log =
        out.resolve(
            "footprint-helper-cds-training"
                + archive.getFileName().toString().replace("helper", "").replace(".jsa", "")
                + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder
        .environment()
        .putAll(
            Map.of(
                "NODE_NAME",
                "cds-training",
                "POD_NAMESPACE",
                "cds-training",
                "QUIESCE_SOCKET_ROOTS",
                sockets.toString(),
                "QUIESCE_JOURNAL_DIR",
                work.resolve("training-journal").toString(),
                "QUIESCE_HEALTH_ADDRESS",
                "127.0.0.1:0",
                "KUBERNETES_MASTER",
                "https://127.0.0.1:1"));
    Process training = builder.start();
    Instant until = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(until)
        && training.isAlive()
        && !Files.readString(log).contains("cannot start serving")) {
      TimeUnit.MILLISECONDS.sleep(
          200); // a poll of the log, as `timeout 30` in the Dockerfile but sooner
    }
    training.destroy();
    if (!training.waitFor(3, TimeUnit.MINUTES) || !Files.isRegularFile(archive)) {
      training.destroyForcibly();
      throw new IllegalStateException(
          "the training run wrote no archive " + archive + " (see " + log + ")");
    }
    return archive.toString();
  }

  /**
   * A class-data archive of the helper trained as far as ready: {@code run} against this run's API
   * server and fake agents (the image build has no API server, so its archive stops at the first
   * API call), stopped by SIGTERM once ready; the JVM writes it on exit. Shows what the classes
   * that only an answering API server makes the helper load cost at start-up.
   */
  private String trainServedArchive(Flags chart, Map<String, String> env, Path jar)
      throws Exception {
    Path archive =
        work.resolve(
            "helper-served-" + Integer.toHexString(jar.toAbsolutePath().hashCode()) + ".jsa");
    if (Files.isRegularFile(archive)) {
      return archive.toString();
    }
    List<String> flags = new ArrayList<>(List.of(chart.containerLimit()));
    chart.chart().stream().filter(f -> !f.startsWith(ARCHIVE_FLAG)).forEach(flags::add);
    flags.add("-XX:ArchiveClassesAtExit=" + archive);
    try (ComponentProcess training = start(jar, flags, env, "cds-served-training")) {
      training.awaitReady(READY_TIMEOUT);
      ProcessHandle.of(training.pid()).ifPresent(ProcessHandle::destroy);
      Instant until = Instant.now().plus(Duration.ofMinutes(3));
      while (ProcessHandle.of(training.pid()).map(ProcessHandle::isAlive).orElse(false)
          && Instant.now().isBefore(until)) {
        TimeUnit.MILLISECONDS.sleep(200); // the JVM writes the archive as it exits
      }
    }
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException("the served training run wrote no archive " + archive);
    }
    return archive.toString();
  }

  /** What the helper used while 10 freezes overlapped. */
  private record Freezes(ProcStatus peak, int overlapping, long windowMedianMs) {}

  private Freezes tenConcurrentFreezes(KubernetesClient client, ComponentProcess helper)
      throws Exception {
    for (int i = 0; i < GUESTS; i++) {
      client
          .resource(Fixtures.requiredSnapshot(NAMESPACE, "freeze-" + i, "vm-" + i, "10s"))
          .create();
    }
    ProcStatus peak = helper.memory();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    List<QuiescedSnapshot> all;
    while (true) {
      ProcStatus now = helper.memory();
      peak = now.rssKiB() > peak.rssKiB() ? now : peak;
      all = client.resources(QuiescedSnapshot.class).inNamespace(NAMESPACE).list().getItems();
      if (all.stream().allMatch(FootprintBench::terminal)) {
        break;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the 10 snapshots did not finish within 2 minutes");
      }
      TimeUnit.MILLISECONDS.sleep(100); // the sampling period of the helper's memory
    }
    List<FreezeRecord> records = all.stream().map(s -> s.getStatus().getFreeze()).toList();
    if (records.stream()
        .anyMatch(
            r -> r == null || r.getFilesystemsFrozen() == null || r.getFilesystemsFrozen() < 1)) {
      throw new IllegalStateException("not every snapshot froze its fake guest: " + records);
    }
    return new Freezes(
        new ProcStatus(peak.rssKiB(), helper.memory().hwmKiB()),
        maxOverlap(records),
        (long) Percentiles.median(records.stream().map(FreezeRecord::getDurationMs).toList()));
  }

  /** The most freeze windows open at one instant. */
  static int maxOverlap(List<FreezeRecord> records) {
    int max = 0;
    for (FreezeRecord r : records) {
      Instant at = Instant.parse(r.getStartTime());
      int open =
          (int)
              records.stream()
                  .filter(
                      o ->
                          !Instant.parse(o.getStartTime()).isAfter(at)
                              && Instant.parse(o.getEndTime()).isAfter(at))
                  .count();
      max = Math.max(max, open);
    }
    return max;
  }

  private PhaseResult result(
      Starts helper,
      Starts helperBare,
      Idle besideOperator,
      Idle operator,
      Idle operatorBare,
      Freezes freezes,
      ClassListCheck classes) {
    if (freezes.overlapping() < GUESTS) {
      throw new IllegalStateException(
          "only " + freezes.overlapping() + " of " + GUESTS + " freezes overlapped");
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("helperReadyMs", helper.readyMs());
    figures.put("helperReadyCpuMs", helper.cpuMs());
    figures.put("helperIdleRssMiB", helper.rssMiB());
    figures.put("helperIdleHeapMiB", helper.heapMiB());
    figures.put("helperIdleThreads", helper.threads());
    figures.put("helperStarts", helper.runs().size());
    figures.put("helperStartsLoadAverage", helper.loads());
    figures.put("helperFreezesPeakRssMiB", freezes.peak().rssMiB());
    figures.put("helperFreezesHwmMiB", freezes.peak().hwmMiB());
    figures.put("helperFreezesOverlapping", freezes.overlapping());
    figures.put("helperNoFlagsReadyMs", helperBare.readyMs());
    figures.put("helperNoFlagsReadyCpuMs", helperBare.cpuMs());
    figures.put("helperNoFlagsIdleRssMiB", helperBare.rssMiB());
    figures.put("helperBesideOperatorReadyMs", besideOperator.readyMs());
    figures.put("helperBesideOperatorReadyCpuMs", besideOperator.cpuMs());
    figures.put("helperBesideOperatorIdleRssMiB", besideOperator.memory().rssMiB());
    figures.put("helperBesideOperatorLoadAverage", besideOperator.load());
    figures.put("helperClassListClasses", classes.recorded());
    figures.put("helperClassListMissing", classes.missing());
    figures.put("operatorReadyMs", operator.readyMs());
    figures.put("operatorIdleRssMiB", operator.memory().rssMiB());
    figures.put("operatorIdleHeapMiB", operator.heapMiB());
    figures.put("operatorNoFlagsReadyMs", operatorBare.readyMs());
    figures.put("operatorNoFlagsIdleRssMiB", operatorBare.memory().rssMiB());
    String chart =
        "chart's jvmFlags; baseline: JVM defaults; both with -XX:MaxRAM = the chart's memory limit";
    String alone =
        "alone (no operator starting beside it), median of "
            + helper.runs().size()
            + " starts interleaved with the baseline's, load average "
            + helper.loads()
            + "; "
            + chart;
    List<BenchRow> rows =
        List.of(
            new BenchRow(
                PHASE,
                "helper RSS idle (MiB)",
                helper.rssMiB(),
                helperBare.rssMiB(),
                "VmRSS after start-up and a GC; " + alone),
            new BenchRow(
                PHASE,
                "helper RSS during 10 concurrent freezes, peak (MiB)",
                freezes.peak().rssMiB(),
                besideOperator.memory().rssMiB(),
                "VmRSS sampled every 100 ms; FAKE agents in another process; baseline: the same"
                    + " helper idle"),
            new BenchRow(
                PHASE,
                "helper start-up to ready (ms)",
                helper.readyMs(),
                helperBare.readyMs(),
                "process start to /readyz 200; " + alone),
            new BenchRow(
                PHASE,
                "helper CPU to ready (ms)",
                helper.cpuMs(),
                helperBare.cpuMs(),
                "user + system time of all its threads when /readyz first answers 200; " + alone),
            new BenchRow(
                PHASE,
                "helper start-up to ready beside the operator (ms)",
                besideOperator.readyMs(),
                null,
                String.format(
                    Locale.ROOT,
                    "one start, the operator starting at the same time on the same cores (not as"
                        + " on a node); CPU %d ms; load average %.1f; chart's jvmFlags",
                    besideOperator.cpuMs(),
                    besideOperator.load())),
            new BenchRow(
                PHASE,
                "helper classes loaded to ready that the archive's class list lacks",
                classes.missing(),
                (double) classes.recorded(),
                "baseline: classes (lambdas and proxies left out) a start to ready loaded, recorded"
                    + " with -XX:DumpLoadedClassList into footprint-node-helper.classlist; copy that"
                    + " to node-helper/src/main/cds/ when this count grows"),
            new BenchRow(
                PHASE,
                "operator RSS idle (MiB)",
                operator.memory().rssMiB(),
                operatorBare.memory().rssMiB(),
                "VmRSS after start-up and a GC; " + chart),
            new BenchRow(
                PHASE,
                "operator start-up to ready (ms)",
                operator.readyMs(),
                (double) operatorBare.readyMs(),
                "process start to /readyz 200; " + chart));
    return PhaseResult.ok(PHASE, figures, rows);
  }

  private Idle idle(Path jar, List<String> flags, Map<String, String> env, String name)
      throws Exception {
    double load = loadAverage();
    try (ComponentProcess process = start(jar, flags, env, name)) {
      long readyMs;
      try {
        readyMs = process.awaitReady(READY_TIMEOUT);
      } catch (IllegalStateException notReady) {
        threadDump(process.pid(), name + "-not-ready"); // where it stands
        throw notReady;
      }
      long cpuMs = cpuMs(process.pid());
      ProcStatus settled = process.settledMemory();
      if (Boolean.getBoolean(THREAD_DUMPS_PROPERTY)) {
        threadDump(process.pid(), name);
      }
      return new Idle(
          readyMs,
          settled,
          process.heapUsedBytes() / (1 << 20),
          threads(process.pid()),
          cpuMs,
          load);
    }
  }

  /** User + system CPU time of the process (all its threads) so far, from /proc/<pid>/stat. */
  static long cpuMs(long pid) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // the fields after the command name, which may hold spaces: state is field 3, utime 14, stime
    // 15
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
  }

  /** USER_HZ: what /proc counts CPU time in on Linux (sysconf(_SC_CLK_TCK)), 100 on every arch. */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  /** The 1-minute load average of the machine now. */
  static double loadAverage() throws java.io.IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  /**
   * The idle process's threads and, when it runs with {@code -XX:NativeMemoryTracking}, its native
   * memory by category, into the output directory (where the resident memory goes).
   */
  private void threadDump(long pid, String name) throws Exception {
    Path dump = Files.createTempFile(out, "footprint-" + name + "-threads-", ".txt");
    for (String command : List.of("Thread.print", "VM.native_memory")) {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid),
                  command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dump.toFile()))
              .start();
      if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
      }
    }
  }

  /** {@code Threads} of {@code /proc/<pid>/status}: every JVM thread, ours and the libraries'. */
  private static int threads(long pid) throws java.io.IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("Threads:"))
        .map(l -> Integer.parseInt(l.substring(8).trim()))
        .findFirst()
        .orElse(-1);
  }

  private ComponentProcess start(Path jar, List<String> flags, Map<String, String> env, String name)
      throws Exception {
    return ComponentProcess.start(
        jar,
        flags,
        Map.of(
            "kubernetes.master",
            server.url("/"),
            "kubernetes.auth.tryKubeConfig",
            "false",
            "kubernetes.auth.tryServiceAccount",
            "false",
            "kubernetes.namespace",
            NAMESPACE,
            "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
            "error"),
        env,
        out.resolve("footprint-" + name + ".log"));
  }

  private static Map<String, String> helperEnv(Path sockets) {
    return Map.of(
        "NODE_NAME",
        Fixtures.DEFAULT_NODE,
        "POD_NAMESPACE",
        SYSTEM_NAMESPACE,
        "QUIESCE_SOCKET_ROOTS",
        sockets.toString(),
        "QUIESCE_SOCKET_TEMPLATES",
        sockets + "/{podUID}/qga.sock",
        "QUIESCE_MAX_FREEZES_PER_NODE",
        Integer.toString(GUESTS),
        "QUIESCE_JOURNAL_DIR",
        sockets.resolveSibling(sockets.getFileName() + "-journal").toString());
  }

  private static Map<String, String> operatorEnv() {
    return Map.of(
        "POD_NAMESPACE",
        SYSTEM_NAMESPACE,
        "QUIESCE_WATCH_NAMESPACES",
        NAMESPACE,
        "QUIESCE_MAX_CONCURRENT_FREEZES",
        Integer.toString(GUESTS),
        "QUIESCE_MAX_FREEZES_PER_NODE",
        Integer.toString(GUESTS));
  }

  /** The fake agents, in a JVM of their own (same classpath as this one). */
  private Process startAgents(List<String> dirs) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                FakeAgentFarm.class.getName()));
    command.addAll(dirs);
    Process agents =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(out.resolve("footprint-fake-agents.log").toFile())
            .start();
    Instant deadline = Instant.now().plusSeconds(30);
    while (!dirs.stream().allMatch(d -> Files.exists(Path.of(d, "qga.sock")))) {
      if (!agents.isAlive() || Instant.now().isAfter(deadline)) {
        agents.destroyForcibly();
        throw new IllegalStateException(
            "the fake agents did not start (see footprint-fake-agents.log)");
      }
      TimeUnit.MILLISECONDS.sleep(50); // a poll interval
    }
    return agents;
  }

  private static boolean terminal(QuiescedSnapshot s) {
    return s.getStatus() != null
        && (s.getStatus().getPhase() == SnapshotPhase.Succeeded
            || s.getStatus().getPhase() == SnapshotPhase.Failed);
  }
}
