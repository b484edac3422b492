package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiesce.agent.FreezeState;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The command line driven with fake agents: output, exit codes, timeouts, one-line errors. */
class AgentCliTest {
  private static final String SOCKET = "/run/vm-1/qga.sock";

  private final Map<Path, FakeGuestAgent> agents = new ConcurrentHashMap<>();
  private final Map<Path, Duration> timeoutsGiven = new ConcurrentHashMap<>();
  private final Map<Path, AgentTarget> targetsGiven = new ConcurrentHashMap<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final AgentCli cli =
      new AgentCli(
          (target, timeout) -> {
            timeoutsGiven.put(target.socket(), timeout);
            targetsGiven.put(target.socket(), target);
            return agent(
                    target.viaLibvirt()
                        ? target.socket() + "#" + target.domain()
                        : target.socket().toString())
                .connect();
          },
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

  private FakeGuestAgent agent(String socket) {
    return agents.computeIfAbsent(Path.of(socket), s -> new FakeGuestAgent());
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private JsonNode json() throws Exception {
    assertThat(out().strip()).as("one JSON object on one line").doesNotContain("\n");
    return new ObjectMapper().readTree(out());
  }

  @Test
  void pingSaysHowLongItTook() {
    assertThat(cli.run("agent", "ping", "--socket", SOCKET)).isZero();

    assertThat(out()).matches("agent answered ping in \\d+ ms\\R");
    assertThat(err()).isEmpty();
    assertThat(agent(SOCKET).calls()).containsExactly(Command.PING);
    assertThat(agent(SOCKET).openConnections()).as("connection closed").isZero();
  }

  @Test
  void pingAsJson() throws Exception {
    assertThat(cli.run("agent", "ping", "--socket", SOCKET, "--json")).isZero();

    assertThat(json().get("command").asText()).isEqualTo("ping");
    assertThat(json().get("ms").isIntegralNumber()).isTrue();
  }

  @Test
  void infoListsVersionAndCommands() throws Exception {
    assertThat(cli.run("agent", "info", "--socket", SOCKET)).isZero();
    assertThat(out())
        .startsWith("qemu-guest-agent 7.2.19: 8 of 9 commands enabled")
        .contains("\n  guest-fsfreeze-freeze\n", "\n  guest-exec (disabled)\n");

    out.reset();
    assertThat(cli.run("agent", "info", "--socket", SOCKET, "--json")).isZero();
    assertThat(json().get("version").asText()).isEqualTo("7.2.19");
    assertThat(json().get("commands").get("guest-fsfreeze-thaw").asBoolean()).isTrue();
    assertThat(json().get("commands").get("guest-exec").asBoolean()).isFalse();
  }

  @Test
  void statusSaysFrozenOrThawed() throws Exception {
    assertThat(cli.run("agent", "status", "--socket", SOCKET)).isZero();
    assertThat(out()).isEqualTo("thawed" + System.lineSeparator());

    agent(SOCKET).frozenAlready();
    out.reset();
    assertThat(cli.run("agent", "status", "--socket", SOCKET, "--json")).isZero();
    assertThat(json().get("status").asText()).isEqualTo("frozen");
  }

  @Test
  void freezeAndThawCountFilesystemsAndTime() throws Exception {
    assertThat(cli.run("agent", "freeze", "--socket", SOCKET)).isZero();
    assertThat(out()).matches("frozen 1 filesystem\\(s\\) in \\d+ ms; thaw with 'agent thaw'\\R");
    assertThat(agent(SOCKET).state()).isEqualTo(FreezeState.FROZEN);

    out.reset();
    assertThat(cli.run("agent", "thaw", "--socket", SOCKET)).isZero();
    assertThat(out()).matches("thawed 1 filesystem\\(s\\) in \\d+ ms\\R");
    assertThat(agent(SOCKET).state()).isEqualTo(FreezeState.THAWED);

    out.reset();
    assertThat(cli.run("agent", "freeze", "--socket", SOCKET, "--mountpoint", "/data", "--json"))
        .isZero();
    assertThat(json().get("filesystems").asInt()).isEqualTo(1);
    assertThat(json().get("mountpoints").get(0).asText()).isEqualTo("/data");

    out.reset();
    assertThat(cli.run("agent", "thaw", "--socket", SOCKET, "--json")).isZero();
    assertThat(json().get("command").asText()).isEqualTo("thaw");
    assertThat(json().get("filesystems").asInt()).isEqualTo(1);
  }

  @Test
  void aFreezeOfNothingSaysSo() {
    agent(SOCKET).script(Command.FREEZE, Step.reportCount(0));

    assertThat(cli.run("agent", "freeze", "--socket", SOCKET)).isZero();

    assertThat(out()).contains("frozen 0 filesystem(s)", "(nothing was frozen)");
  }

  @Test
  void fsinfoPrintsATableOrTheFilesystemsAsJson() throws Exception {
    assertThat(cli.run("agent", "fsinfo", "--socket", SOCKET)).isZero();
    assertThat(out().lines()).hasSize(2);
    assertThat(out().lines().toList().get(1)).matches("/data\\s+ext4\\s+vdb\\s+data-disk");

    out.reset();
    assertThat(cli.run("agent", "fsinfo", "--socket", SOCKET, "--json")).isZero();
    JsonNode fs = json().get("filesystems").get(0);
    assertThat(fs.get("mountpoint").asText()).isEqualTo("/data");
    assertThat(fs.get("type").asText()).isEqualTo("ext4");
    assertThat(fs.get("disks").get(0).asText()).isEqualTo("data-disk");
  }

  @Test
  void theTimeoutIsHandedToTheAgentClient() {
    cli.run("agent", "ping", "--socket", SOCKET, "--timeout", "1m");

    assertThat(timeoutsGiven).containsEntry(Path.of(SOCKET), Duration.ofMinutes(1));
  }

  @Test
  void anAgentTimeoutExitsWithTheTimeoutCode() {
    agent(SOCKET).script(Command.PING, Step.fail("AgentTimeout"));

    assertThat(cli.run("agent", "ping", "--socket", SOCKET)).isEqualTo(ExitCode.TIMEOUT.code());

    assertThat(out()).isEmpty();
    assertThat(err()).matches("quiesce: AgentTimeout: [^\\n]*\\R");
  }

  @Test
  void aCallHungBeyondTheClientsOwnTimeoutIsCutOffAndExitsWithTheTimeoutCode() {
    agent(SOCKET).script(Command.STATUS, Step.hang());

    long before = System.nanoTime();
    int code = cli.run("agent", "status", "--socket", SOCKET, "--timeout", "200ms");

    assertThat(code).isEqualTo(ExitCode.TIMEOUT.code());
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(3));
    assertThat(err())
        .matches("quiesce: AgentTimeout: no answer from /run/vm-1/qga.sock within 900 ms\\R");
    assertThat(agent(SOCKET).openConnections()).as("the hung connection was closed").isZero();
  }

  @Test
  void anAgentErrorExitsWithTheAgentErrorCodeAndOneLine() {
    agent(SOCKET).frozenAlready();

    assertThat(cli.run("agent", "fsinfo", "--socket", SOCKET))
        .isEqualTo(ExitCode.AGENT_ERROR.code());

    assertThat(out()).isEmpty();
    assertThat(err())
        .matches("quiesce: CommandDisabled: Command guest-get-fsinfo has been disabled[^\\n]*\\R");
  }

  @Test
  void anUnreachableAgentIsAnAgentError() {
    agent(SOCKET).unreachable(true);

    assertThat(cli.run("agent", "ping", "--socket", SOCKET, "--json"))
        .isEqualTo(ExitCode.AGENT_ERROR.code());

    assertThat(out()).isEmpty();
    assertThat(err()).startsWith("quiesce: AgentUnavailable: ").hasLineCount(1);
  }

  @Test
  void aUsageErrorExitsWithTheUsageCodeAndOneLine() {
    assertThat(cli.run("agent", "ping")).isEqualTo(ExitCode.USAGE.code());

    assertThat(out()).isEmpty();
    assertThat(err())
        .isEqualTo(
            "quiesce: usage: 'agent ping' needs exactly one --socket PATH or --libvirt-socket PATH --domain NAME (see --help)"
                + System.lineSeparator());
  }

  @Test
  void helpPrintsTheUsageAndSucceeds() {
    assertThat(cli.run("--help")).isZero();

    assertThat(out())
        .startsWith("usage: java -jar node-helper.jar agent <ping|info|status|freeze|thaw|fsinfo>")
        .contains("recover --socket PATH", "exit codes:");
    assertThat(err()).isEmpty();
  }

  @Test
  void aMissingAgentClientIsAnInternalErrorWithItsReason() {
    AgentCli unwired =
        new AgentCli(
            (target, timeout) -> {
              throw new IllegalStateException("no client\nin this build");
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(unwired.run("agent", "ping", "--socket", SOCKET))
        .isEqualTo(ExitCode.INTERNAL_ERROR.code());

    assertThat(err())
        .isEqualTo(
            "quiesce: IllegalStateException: no client in this build" + System.lineSeparator());
  }

  @Test
  void recoverThawsTheFrozenGuestsAndReportsEach() throws Exception {
    agent("/run/a.sock").frozenAlready();
    agent("/run/b.sock");

    assertThat(cli.run("recover", "--socket", "/run/a.sock", "--socket", "/run/b.sock")).isZero();

    assertThat(agent("/run/a.sock").state()).isEqualTo(FreezeState.THAWED);
    assertThat(out().lines()).hasSize(2);
    assertThat(out().lines().toList().get(0)).matches("/run/a.sock: thawed \\(.*\\) in \\d+ ms");
    assertThat(out().lines().toList().get(1))
        .matches("/run/b.sock: not-frozen \\(thawed\\) in \\d+ ms");
    assertThat(err()).isEmpty();

    agent("/run/a.sock").frozenAlready();
    out.reset();
    assertThat(cli.run("recover", "--socket", "/run/a.sock", "--json")).isZero();
    assertThat(json().get("allThawed").asBoolean()).isTrue();
    assertThat(json().get("guests").get(0).get("socket").asText()).isEqualTo("/run/a.sock");
    assertThat(json().get("guests").get(0).get("action").asText()).isEqualTo("thawed");
  }

  @Test
  void recoverFailsWithOneLineWhenAGuestCannotBeConfirmedThawed() {
    agent("/run/a.sock");
    agent("/run/gone.sock").unreachable(true);

    int code =
        cli.run(
            "recover",
            "--socket",
            "/run/a.sock",
            "--socket",
            "/run/gone.sock",
            "--timeout",
            "500ms");

    assertThat(code).isEqualTo(ExitCode.AGENT_ERROR.code());
    assertThat(out().lines()).hasSize(2);
    assertThat(err())
        .startsWith(
            "quiesce: 1 of 2 guest(s) not confirmed thawed; first: /run/gone.sock: "
                + "unreachable (AgentUnavailable")
        .hasLineCount(1);
  }

  @Test
  void aLibvirtTargetReachesTheDomainThroughTheDaemonSocket() {
    String daemon =
        "/var/lib/kubelet/pods/0f3c7a52-9d1e-4b6a-8c2f-5e4d3b2a1f00/volumes/kubernetes.io~empty-dir/"
            + "libvirt-runtime/virtqemud-sock";

    assertThat(cli.run("agent", "freeze", "--libvirt-socket", daemon, "--domain", "prod_db-01"))
        .isZero();

    assertThat(agent(daemon + "#prod_db-01").state()).isEqualTo(FreezeState.FROZEN);
    assertThat(targetsGiven.get(Path.of(daemon)))
        .isEqualTo(AgentTarget.libvirt(Path.of(daemon), "prod_db-01", "qemu:///session"));
  }

  @Test
  void recoverThawsEveryDomainBehindOneDaemon() throws Exception {
    agent("/run/libvirt-sock#ns_a").frozenAlready();
    agent("/run/libvirt-sock#ns_b");

    assertThat(
            cli.run(
                "recover",
                "--libvirt-socket",
                "/run/libvirt-sock",
                "--domain",
                "ns_a",
                "--domain",
                "ns_b",
                "--libvirt-uri",
                "qemu:///system",
                "--json"))
        .isZero();

    assertThat(agent("/run/libvirt-sock#ns_a").state()).isEqualTo(FreezeState.THAWED);
    assertThat(json().get("guests").get(0).get("domain").asText()).isEqualTo("ns_a");
    assertThat(json().get("guests").get(0).get("socket").asText()).isEqualTo("/run/libvirt-sock");
    assertThat(json().get("guests").get(1).get("action").asText()).isEqualTo("not-frozen");
    assertThat(targetsGiven.get(Path.of("/run/libvirt-sock")).libvirtUri())
        .isEqualTo("qemu:///system");
  }
}
