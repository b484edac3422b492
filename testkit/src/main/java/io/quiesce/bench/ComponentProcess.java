package io.quiesce.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Quiesce component ({@code operator.jar run} or {@code node-helper.jar run}) started as its
 * own JVM process the way the chart runs it: its JVM flags, its environment, its health port,
 * output to a log file. Measures its start-up to ready and its memory.
 */
public final class ComponentProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int healthPort;
  private final long startedNanos;

  private ComponentProcess(Process process, int healthPort, long startedNanos) {
    this.process = process;
    this.healthPort = healthPort;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code java <jvmFlags> <systemProperties> -jar <jar> run}.
   *
   * @param env added to this process's environment; {@code QUIESCE_HEALTH_ADDRESS} is set here
   */
  public static ComponentProcess start(
      Path jar,
      List<String> jvmFlags,
      Map<String, String> systemProperties,
      Map<String, String> env,
      Path log)
      throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(List.of("-jar", jar.toString(), "run"));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    builder.environment().put("QUIESCE_HEALTH_ADDRESS", "127.0.0.1:" + port);
    long started = System.nanoTime();
    return new ComponentProcess(builder.start(), port, started);
  }

  /** The process id, for {@code /proc} and {@code jcmd}. */
  public long pid() {
    return process.pid();
  }

  /**
   * Waits until {@code /readyz} answers 200, polling every 20 ms.
   *
   * @return milliseconds from the process start to the first 200
   * @throws IllegalStateException when the process exits or is not ready within {@code timeout}
   */
  public long awaitReady(Duration timeout) throws InterruptedException {
    long deadline = startedNanos + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "component exited with " + process.exitValue() + " before ready");
      }
      if (get("/readyz").map(HttpResponse::statusCode).orElse(0) == 200) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
      }
      TimeUnit.MILLISECONDS.sleep(20); // a poll interval, not a synchronization
    }
    throw new IllegalStateException("not ready within " + timeout);
  }

  /** CPU time used so far (user + system, every thread). */
  public ProcCpu cpu() throws IOException {
    return ProcCpu.of(process.pid());
  }

  /**
   * The component's {@code /metrics} scrape (Prometheus text), or empty when it does not answer.
   */
  public Optional<String> metrics() throws InterruptedException {
    return get("/metrics").filter(r -> r.statusCode() == 200).map(HttpResponse::body);
  }

  /** Resident memory now and its peak. */
  public ProcStatus memory() throws IOException {
    return ProcStatus.of(process.pid());
  }

  /**
   * Runs a full GC in the process ({@code jcmd <pid> GC.run}) and then waits until its resident
   * memory stops moving (two readings 200 ms apart within 1 %, at most 5 s): "idle after a GC
   * settle".
   */
  public ProcStatus settledMemory() throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      jcmd.destroyForcibly();
      throw new IOException("jcmd " + process.pid() + " GC.run failed");
    }
    ProcStatus last = memory();
    for (int i = 0; i < 25; i++) {
      TimeUnit.MILLISECONDS.sleep(200);
      ProcStatus now = memory();
      if (Math.abs(now.rssKiB() - last.rssKiB()) <= last.rssKiB() / 100) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /**
   * Bytes of heap in use, from the component's own {@code /metrics} ({@code
   * jvm_memory_used_bytes{area="heap"}}).
   */
  public double heapUsedBytes() throws InterruptedException {
    HttpResponse<String> metrics =
        get("/metrics")
            .filter(r -> r.statusCode() == 200)
            .orElseThrow(() -> new IllegalStateException("no /metrics from pid " + process.pid()));
    return PrometheusText.sum(metrics.body(), "jvm_memory_used_bytes", "area", "heap");
  }

  /** The answer, or empty while nothing listens. */
  private Optional<HttpResponse<String>> get(String path) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      return Optional.of(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** SIGTERM, then SIGKILL after 15 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }
}
