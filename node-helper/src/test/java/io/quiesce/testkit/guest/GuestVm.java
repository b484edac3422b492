package io.quiesce.testkit.guest;

import static org.awaitility.Awaitility.await;

import io.quiesce.agent.AgentException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * One running test guest booted by {@code hack/qga-vm.sh}: the real {@code qemu-guest-agent} on a
 * virtio-serial port, an ext4 data disk at {@code /data}, a writer that keeps writing to it and a
 * heartbeat on the console. Obtain it through {@link RealGuest}; {@link #close()} stops it.
 *
 * <p>The agent socket serves one client at a time: close your own client before calling methods
 * that talk to the agent ({@link #setKnob}, {@link #clearKnobs()}, {@link #ensureThawed}).
 */
public final class GuestVm implements AutoCloseable {

  /**
   * Property (or env QUIESCE_GUEST_BOOT_TIMEOUT_S) bounding the whole start, image build included.
   */
  static final String BOOT_TIMEOUT_PROPERTY = "quiesce.guest.bootTimeoutSeconds";

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(5);
  private static final QgaSettings HARNESS_AGENT_SETTINGS =
      QgaSettings.defaults().withCommandTimeout(AGENT_TIMEOUT);

  private final Path script;
  private final Path runDir;
  private final Path agentSocket;
  private final Path qmpSocket;
  private final Path dataImage;
  private final GuestConsole console;
  private final Duration bootTime;
  private final Thread shutdownHook = new Thread(this::stop, "stop-real-guest");
  private final AtomicBoolean stopped = new AtomicBoolean();

  private GuestVm(Path script, Path runDir, Properties env) {
    this.script = script;
    this.runDir = runDir;
    this.agentSocket = underRunDir(runDir, env, "QGA_SOCK");
    this.qmpSocket = underRunDir(runDir, env, "QMP_SOCK");
    this.dataImage = underRunDir(runDir, env, "DATA_IMG");
    this.console = new GuestConsole(underRunDir(runDir, env, "CONSOLE_LOG"));
    this.bootTime = Duration.ofMillis(Long.parseLong(required(env, "BOOT_MS")));
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Boots a fresh guest in a new runtime dir under /tmp (short: socket paths are limited to 107
   * bytes). The first boot on a machine also builds the kernel+initramfs cache.
   *
   * @throws IllegalStateException with the script's output when the guest cannot start
   */
  public static GuestVm boot() {
    return boot(null);
  }

  /**
   * Boots a guest whose /data disk is a copy of {@code image} (a restored disk) instead of a fresh
   * one, with its writer off, so that what the guest reads back is what was restored. The copy
   * lives in the guest's runtime dir; {@code image} itself is not changed.
   */
  public static GuestVm bootFrom(Path image) {
    return boot(image);
  }

  private static GuestVm boot(Path restoredImage) {
    Path script = QuiesceProject.file("hack/qga-vm.sh");
    Path runDir;
    try {
      runDir = Files.createTempDirectory(Path.of("/tmp"), "qvm");
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create a runtime dir under /tmp: " + e.getMessage(), e);
    }
    try {
      Map<String, String> scriptEnv = new java.util.HashMap<>(scriptEnv(runDir));
      if (restoredImage != null) {
        Path copy = runDir.resolve("restored.img");
        ProcessResult cp =
            Processes.run(
                Duration.ofSeconds(60),
                Map.of(),
                List.of("cp", "--sparse=always", restoredImage.toString(), copy.toString()));
        if (!cp.succeeded()) {
          throw new IllegalStateException("copying " + restoredImage + " failed: " + cp.output());
        }
        scriptEnv.put("QGA_VM_DATA_IMAGE", copy.toString());
        scriptEnv.put("QGA_VM_WRITER", "0");
      }
      ProcessResult r =
          Processes.run(bootTimeout(), scriptEnv, List.of("bash", script.toString(), "start"));
      if (!r.succeeded()) {
        throw new IllegalStateException(
            "hack/qga-vm.sh start failed (exit "
                + r.exitCode()
                + "):\n"
                + lastLines(r.output(), 25));
      }
      Properties env = new Properties();
      try (Reader in =
          Files.newBufferedReader(runDir.resolve("qga-vm.env"), StandardCharsets.UTF_8)) {
        env.load(in);
      }
      return new GuestVm(script, runDir, env);
    } catch (IOException | RuntimeException e) {
      // a start killed by our timeout may have left a daemonized QEMU behind: stop by pid file
      Processes.run(STOP_TIMEOUT, scriptEnv(runDir), List.of("bash", script.toString(), "stop"));
      deleteTree(runDir);
      throw e instanceof IllegalStateException ise
          ? ise
          : new IllegalStateException("guest start failed: " + e.getMessage(), e);
    }
  }

  /** The agent's unix socket (QGA protocol; one client at a time). */
  public Path agentSocket() {
    return agentSocket;
  }

  /** QEMU's QMP unix socket. */
  public Path qmpSocket() {
    return qmpSocket;
  }

  /** The raw image behind the guest's {@code /data} (virtio-blk, ext4). */
  public Path dataImage() {
    return dataImage;
  }

  /** The guest's serial console log. */
  public Path consoleLog() {
    return console.file();
  }

  /** From script start to agent ready. */
  public Duration bootTime() {
    return bootTime;
  }

  /** The writer's last completed iteration and the guest uptime it printed. */
  public WriterProgress writerProgress() {
    return console.writerProgress();
  }

  /** Waits until the writer completes an iteration after the current one; returns it. */
  public WriterProgress awaitWriterAdvance(Duration timeout) {
    return console.awaitWriterAdvance(timeout);
  }

  /**
   * Waits for a heartbeat the guest prints after this call and returns its uptime: "guest time
   * now", also while {@code /data} is frozen.
   */
  public double awaitFreshGuestUptime(Duration timeout) {
    return console.awaitFreshGuestUptime(timeout);
  }

  /** Waits until the guest's heartbeat shows an uptime of at least {@code uptimeSeconds}. */
  public double awaitGuestUptime(double uptimeSeconds, Duration timeout) {
    return console.awaitGuestUptime(uptimeSeconds, timeout);
  }

  /**
   * Arms a fault knob in the guest (written atomically through the agent's {@code guest-exec}).
   *
   * @param value seconds for the timed knobs, empty for {@link GuestKnob#KILL_IN_FREEZE_HOOK}
   */
  public void setKnob(GuestKnob knob, String value) {
    try (QgaClient agent = new QgaClient(agentSocket, HARNESS_AGENT_SETTINGS)) {
      GuestShell.setKnob(exec(agent), knob, value);
    }
  }

  /** Disarms every knob not yet consumed. */
  public void clearKnobs() {
    try (QgaClient agent = new QgaClient(agentSocket, HARNESS_AGENT_SETTINGS)) {
      GuestShell.clearKnobs(exec(agent));
    }
  }

  /**
   * Copies the data disk image with {@code cp --reflink=auto}. The copy is consistent only while
   * the guest is frozen: freezing flushes the guest's writes to QEMU, whose raw image file is then
   * not written until the thaw.
   */
  public Path copyDataDisk(Path target) {
    ProcessResult r =
        Processes.run(
            Duration.ofSeconds(60),
            Map.of(),
            List.of(
                "cp",
                "--reflink=auto",
                "--sparse=always",
                dataImage.toString(),
                target.toString()));
    if (!r.succeeded()) {
      throw new IllegalStateException("copying the data disk failed: " + r.output());
    }
    return target;
  }

  /**
   * Makes sure the guest is thawed, waiting up to {@code timeout} for the agent to answer (it may
   * be restarting after a test killed it).
   *
   * @return true when the guest was frozen and had to be thawed
   */
  public boolean ensureThawed(Duration timeout) {
    AtomicBoolean wasFrozen = new AtomicBoolean();
    await("agent answers and the guest is thawed (is a test's client still open?)")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsInstanceOf(AgentException.class)
        .until(
            () -> {
              try (QgaClient agent = new QgaClient(agentSocket, HARNESS_AGENT_SETTINGS)) {
                if (agent.freezeStatus() == FreezeState.FROZEN) {
                  wasFrozen.set(true);
                  agent.thaw();
                }
                return agent.freezeStatus() == FreezeState.THAWED;
              }
            });
    return wasFrozen.get();
  }

  /** The current end of the console log, a mark for {@link #consoleSince(long)}. */
  public long consoleMark() {
    return console.mark();
  }

  /** What the guest printed on its console after {@code mark} (at most the last 256 KiB). */
  public String consoleSince(long mark) {
    return console.since(mark);
  }

  /** Stops the guest and deletes its runtime dir; keeps a copy of the console log under target/. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs or ran already
    }
  }

  private void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    try {
      Processes.run(STOP_TIMEOUT, scriptEnv(runDir), List.of("bash", script.toString(), "stop"));
    } finally {
      keepConsoleLog();
      deleteTree(runDir);
    }
  }

  private static GuestShell.AgentExec exec(QgaClient agent) {
    return (command, arguments) -> agent.execute(command, arguments, AGENT_TIMEOUT);
  }

  private void keepConsoleLog() {
    Path target = Path.of(System.getProperty("user.dir"), "target");
    if (Files.isDirectory(target) && Files.isRegularFile(console.file())) {
      try {
        Files.copy(
            console.file(),
            target.resolve("real-guest-console.log"),
            StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException ignored) {
        // a convenience for debugging only
      }
    }
  }

  private static Map<String, String> scriptEnv(Path runDir) {
    return Map.of(
        "QGA_VM_DIR",
        runDir.toString(),
        // last resort against a leaked guest when the JVM dies without running hooks
        "QGA_VM_TTL",
        System.getProperty("quiesce.guest.ttlSeconds", "3600"));
  }

  private static Duration bootTimeout() {
    String s =
        System.getProperty(
            BOOT_TIMEOUT_PROPERTY,
            System.getenv().getOrDefault("QUIESCE_GUEST_BOOT_TIMEOUT_S", "900"));
    return Duration.ofSeconds(Long.parseLong(s.trim()));
  }

  /**
   * A path from the env file; the harness deletes the run dir later, so it must not point
   * elsewhere.
   */
  private static Path underRunDir(Path runDir, Properties env, String key) {
    Path p = Path.of(required(env, key)).toAbsolutePath().normalize();
    if (!p.startsWith(runDir.toAbsolutePath().normalize())) {
      throw new IllegalStateException(key + "=" + p + " is outside the runtime dir " + runDir);
    }
    return p;
  }

  private static String required(Properties env, String key) {
    String v = env.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException("qga-vm.env lacks " + key);
    }
    return v.trim();
  }

  private static String lastLines(String text, int n) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover dir under /tmp is harmless
    }
  }
}
