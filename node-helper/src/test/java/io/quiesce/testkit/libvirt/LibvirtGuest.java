package io.quiesce.testkit.libvirt;

import static org.awaitility.Awaitility.await;

import io.quiesce.agent.AgentException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaSettings;
import io.quiesce.libvirt.LibvirtAgent;
import io.quiesce.testkit.guest.GuestConsole;
import io.quiesce.testkit.guest.GuestKnob;
import io.quiesce.testkit.guest.GuestShell;
import io.quiesce.testkit.guest.ProcessResult;
import io.quiesce.testkit.guest.Processes;
import io.quiesce.testkit.guest.QuiesceProject;
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
 * A private libvirt daemon (libvirtd in session mode as KubeVirt's {@code qemu}, uid 107, with a
 * non-root virt-launcher's owner-only socket: see the script's header) managing the test guest,
 * started by {@code hack/libvirt-vm.sh}: the same guest image as {@code GuestVm} (the real {@code
 * qemu-guest-agent}, ext4 {@code /data}, a writer, a heartbeat), but libvirt holds the agent
 * socket, as in a KubeVirt virt-launcher pod. A second domain never runs an agent. Obtain it
 * through {@link RealLibvirtGuest}; {@link #close()} destroys the domains, then stops the daemon.
 */
public final class LibvirtGuest implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(5);

  /** libvirt's debug line for a command it sends to a guest agent. */
  private static final java.util.regex.Pattern AGENT_COMMAND =
      java.util.regex.Pattern.compile("Send command '\\{\"execute\":\"([a-z-]+)\"");

  private static final QgaSettings HARNESS_SETTINGS =
      QgaSettings.defaults().withCommandTimeout(AGENT_TIMEOUT);

  private final Path script;
  private final Path runDir;
  private final Path daemonSocket;
  private final Path agentSocket;
  private final Path dataImage;
  private final String domain;
  private final String noAgentDomain;
  private final GuestConsole console;
  private final Duration daemonStart;
  private final Duration bootTime;
  private final Thread shutdownHook = new Thread(this::stop, "stop-libvirt-guest");
  private final AtomicBoolean stopped = new AtomicBoolean();

  private LibvirtGuest(Path script, Path runDir, Properties env) {
    this.script = script;
    this.runDir = runDir;
    this.daemonSocket = underRunDir(runDir, env, "LIBVIRT_SOCK");
    this.agentSocket = underRunDir(runDir, env, "AGENT_SOCK");
    this.dataImage = underRunDir(runDir, env, "DATA_IMG");
    this.console = new GuestConsole(underRunDir(runDir, env, "CONSOLE_LOG"));
    this.domain = required(env, "DOMAIN");
    this.noAgentDomain = required(env, "NOAGENT_DOMAIN");
    this.daemonStart = Duration.ofMillis(Long.parseLong(required(env, "DAEMON_MS")));
    this.bootTime = Duration.ofMillis(Long.parseLong(required(env, "BOOT_MS")));
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a daemon and its domains in a new runtime dir under /tmp (short: socket paths are
   * limited to 107 bytes). The first start on a machine also builds the guest image.
   *
   * @throws IllegalStateException with the script's output when it cannot start
   */
  public static LibvirtGuest start(Duration timeout) {
    Path script = QuiesceProject.file("hack/libvirt-vm.sh");
    Path runDir;
    try {
      runDir = Files.createTempDirectory(Path.of("/tmp"), "qlv");
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create a runtime dir under /tmp: " + e.getMessage(), e);
    }
    try {
      ProcessResult r =
          Processes.run(timeout, scriptEnv(runDir), List.of("bash", script.toString(), "start"));
      if (!r.succeeded()) {
        throw new IllegalStateException(
            "hack/libvirt-vm.sh start failed (exit "
                + r.exitCode()
                + "):\n"
                + lastLines(r.output(), 25));
      }
      Properties env = new Properties();
      try (Reader in =
          Files.newBufferedReader(runDir.resolve("libvirt-vm.env"), StandardCharsets.UTF_8)) {
        env.load(in);
      }
      return new LibvirtGuest(script, runDir, env);
    } catch (IOException | RuntimeException e) {
      // a start cut short may have left a daemon or a QEMU behind: stop them by pid file
      Processes.run(STOP_TIMEOUT, scriptEnv(runDir), List.of("bash", script.toString(), "stop"));
      deleteTree(runDir);
      throw e instanceof IllegalStateException ise
          ? ise
          : new IllegalStateException("libvirt guest start failed: " + e.getMessage(), e);
    }
  }

  /** The libvirt daemon's unix socket (libvirt's remote protocol). */
  public Path daemonSocket() {
    return daemonSocket;
  }

  /** The libvirt domain of the test guest. */
  public String domain() {
    return domain;
  }

  /** A running domain whose guest never starts an agent. */
  public String noAgentDomain() {
    return noAgentDomain;
  }

  /** The guest agent's unix socket, which libvirt holds. */
  public Path agentSocket() {
    return agentSocket;
  }

  /** The raw image behind the guest's {@code /data} (virtio-blk, ext4). */
  public Path dataImage() {
    return dataImage;
  }

  /** The guest's serial console: the writer's progress and the guest clock. */
  public GuestConsole console() {
    return console;
  }

  /** From daemon start to its socket answering. */
  public Duration daemonStart() {
    return daemonStart;
  }

  /** From domain create to agent ready. */
  public Duration bootTime() {
    return bootTime;
  }

  /** A libvirt channel to the test guest's agent, with {@code settings}. */
  public LibvirtAgent agent(QgaSettings settings) {
    return new LibvirtAgent(daemonSocket, domain, settings);
  }

  /** Arms a fault knob in the guest (through libvirt's agent command). */
  public void setKnob(GuestKnob knob, String value) {
    try (LibvirtAgent agent = agent(HARNESS_SETTINGS)) {
      GuestShell.setKnob((c, a) -> agent.execute(c, a, AGENT_TIMEOUT), knob, value);
    }
  }

  /** Disarms every knob not yet consumed. */
  public void clearKnobs() {
    try (LibvirtAgent agent = agent(HARNESS_SETTINGS)) {
      GuestShell.clearKnobs((c, a) -> agent.execute(c, a, AGENT_TIMEOUT));
    }
  }

  /**
   * Makes sure the guest is thawed, waiting up to {@code timeout} for daemon and agent to answer.
   *
   * @return true when the guest was frozen and had to be thawed
   */
  public boolean ensureThawed(Duration timeout) {
    AtomicBoolean wasFrozen = new AtomicBoolean();
    await("libvirt answers and the guest is thawed")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsInstanceOf(AgentException.class)
        .until(
            () -> {
              try (LibvirtAgent agent = agent(HARNESS_SETTINGS)) {
                if (agent.freezeStatus() == FreezeState.FROZEN) {
                  wasFrozen.set(true);
                  agent.thaw();
                }
                return agent.freezeStatus() == FreezeState.THAWED;
              }
            });
    return wasFrozen.get();
  }

  /**
   * Where the daemon's log ends now: pass it to {@link #agentCommandsSince(long)}. The daemon logs
   * every command it sends to a guest agent (log filter {@code 1:qemu.qemu_agent}).
   */
  public long daemonLogMark() {
    try {
      return Files.size(daemonLog());
    } catch (IOException e) {
      throw new IllegalStateException("no daemon log: " + e.getMessage(), e);
    }
  }

  /**
   * The agent commands the daemon sent to any of its guests since {@code mark}, in order, e.g.
   * {@code guest-fsfreeze-freeze}.
   */
  public List<String> agentCommandsSince(long mark) {
    try {
      byte[] log = Files.readAllBytes(daemonLog());
      String since =
          new String(
              log,
              (int) Math.min(mark, log.length),
              (int) Math.max(0, log.length - mark),
              StandardCharsets.UTF_8);
      return since
          .lines()
          .map(AGENT_COMMAND::matcher)
          .filter(java.util.regex.Matcher::find)
          .map(m -> m.group(1))
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the daemon log: " + e.getMessage(), e);
    }
  }

  private Path daemonLog() {
    return runDir.resolve("run/libvirtd.log");
  }

  /** Copies the data disk image; consistent only while the guest is frozen. */
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

  /** SIGKILLs the daemon; the domains keep running (libvirt does not stop QEMU when it dies). */
  public void killDaemon() {
    daemonScript("daemon-kill");
  }

  /** Starts the daemon again; it reconnects to the running domains and their agents. */
  public void startDaemon() {
    daemonScript("daemon-start");
  }

  /** The daemon's PID (for SIGSTOP/SIGCONT in tests). */
  public long daemonPid() {
    try {
      return Long.parseLong(Files.readString(runDir.resolve("run/libvirtd.pid")).trim());
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("no daemon pid: " + e.getMessage(), e);
    }
  }

  /**
   * Destroys the domains, stops the daemon, deletes the runtime dir; keeps the console log under
   * target/.
   */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs or ran already
    }
  }

  private void daemonScript(String command) {
    ProcessResult r =
        Processes.run(
            SCRIPT_TIMEOUT, scriptEnv(runDir), List.of("bash", script.toString(), command));
    if (!r.succeeded()) {
      throw new IllegalStateException(
          "hack/libvirt-vm.sh " + command + " failed: " + lastLines(r.output(), 10));
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

  private void keepConsoleLog() {
    Path target = Path.of(System.getProperty("user.dir"), "target");
    if (Files.isDirectory(target) && Files.isRegularFile(console.file())) {
      try {
        Files.copy(
            console.file(),
            target.resolve("libvirt-guest-console.log"),
            StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException ignored) {
        // a convenience for debugging only
      }
    }
  }

  private static Map<String, String> scriptEnv(Path runDir) {
    return Map.of(
        "LIBVIRT_VM_DIR",
        runDir.toString(),
        // last resort against a leaked daemon when the JVM dies without running hooks
        "LIBVIRT_VM_TTL",
        System.getProperty("quiesce.guest.ttlSeconds", "3600"));
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
      throw new IllegalStateException("libvirt-vm.env lacks " + key);
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
