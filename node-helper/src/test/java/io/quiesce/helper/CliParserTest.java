package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliParserTest {

  @Test
  void parsesAnAgentCommandWithEveryOption() {
    CliArguments cli =
        CliParser.parse(
            "agent",
            "freeze",
            "--socket",
            "/run/qga.sock",
            "--timeout",
            "500ms",
            "--json",
            "--mountpoint",
            "/data",
            "--mountpoint=/var");

    assertThat(cli)
        .isEqualTo(
            new CliArguments(
                CliArguments.Mode.AGENT,
                AgentCommand.FREEZE,
                List.of(AgentTarget.qga(Path.of("/run/qga.sock"))),
                Duration.ofMillis(500),
                true,
                List.of("/data", "/var")));
  }

  @Test
  void defaultsToHumanOutputAndATenSecondTimeout() {
    CliArguments cli = CliParser.parse("agent", "ping", "--socket=/run/qga.sock");

    assertThat(cli.json()).isFalse();
    assertThat(cli.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(cli.mountpoints()).isEmpty();
  }

  @Test
  void recoverTakesSeveralSockets() {
    CliArguments cli =
        CliParser.parse("recover", "--socket", "/run/a.sock", "--socket", "/run/./b.sock");

    assertThat(cli.mode()).isEqualTo(CliArguments.Mode.RECOVER);
    assertThat(cli.targets())
        .containsExactly(
            AgentTarget.qga(Path.of("/run/a.sock")), AgentTarget.qga(Path.of("/run/b.sock")));
  }

  @Test
  void helpWinsAnywhere() {
    assertThat(CliParser.parse("agent", "bogus", "--help").mode())
        .isEqualTo(CliArguments.Mode.HELP);
    assertThat(CliParser.parse("-h").mode()).isEqualTo(CliArguments.Mode.HELP);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"                                                      | no command given",
        "agent                                                     | 'agent' needs a command",
        "agent --socket /s                                         | 'agent' needs a command",
        "agent reboot --socket /s                                  | unknown agent command 'reboot'",
        "snapshot --socket /s                                      | unknown command 'snapshot'",
        "agent ping                                                | needs exactly one --socket",
        "agent ping --socket /a --socket /b                        | needs exactly one --socket",
        "recover                                                   | at least one --socket",
        "agent ping --socket                                       | --socket needs a value",
        "agent ping --socket /s --timeout                          | --timeout needs a value",
        "agent ping --socket /s --timeout 5                        | invalid duration '5'",
        "agent ping --socket /s --timeout 1h                       | invalid duration '1h'",
        "agent ping --socket /s --timeout 0s                       | must be above 0",
        "agent ping --socket /s --timeout 11m                      | at most 10m",
        "agent ping --socket /s --timeout 1s --timeout 2s          | --timeout given twice",
        "agent ping --socket /s --verbose                          | unknown option '--verbose'",
        "agent ping --socket /s extra                              | unexpected argument 'extra'",
        "agent ping --socket /s --json=yes                         | --json takes no value",
        "agent thaw --socket /s --mountpoint /data                 | --mountpoint is for 'agent freeze' only",
        "agent ping --socket /s --libvirt-socket /l --domain d     | mutually exclusive",
        "agent ping --libvirt-socket /l                            | --libvirt-socket needs --domain NAME",
        "agent ping --socket /s --domain d                         | --domain is for --libvirt-socket",
        "agent ping --libvirt-socket /l --domain a --domain b      | one --domain with --libvirt-socket",
        "agent ping --libvirt-socket /l --libvirt-socket /m --domain a | --libvirt-socket given twice",
        "agent ping --socket /s --libvirt-uri qemu:///system       | --libvirt-uri is for --libvirt-socket",
        "agent ping --libvirt-socket /l --domain a --libvirt-uri qemu+ssh://h/system | invalid --libvirt-uri",
        "recover --domain d                                        | --domain is for --libvirt-socket",
      })
  void refusesWhatItCannotUnderstandWithOneLineReason(String line, String reason) {
    String[] args = line.isBlank() ? new String[0] : line.trim().split("\\s+");

    assertThatThrownBy(() -> CliParser.parse(args))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void refusesASocketPathTooLongForAUnixSocket() {
    String tooLong = "/run/" + "x".repeat(103);

    assertThatThrownBy(() -> CliParser.parse("agent", "ping", "--socket", tooLong))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("longer than 107 bytes");
    assertThat(CliParser.parse("agent", "ping", "--socket", tooLong.substring(1)).targets())
        .hasSize(1);
  }

  @Test
  void refusesMountpointsWithControlCharacters() {
    assertThatThrownBy(
            () -> CliParser.parse("agent", "freeze", "--socket", "/s", "--mountpoint", "/da\tta"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("invalid mountpoint");
  }

  @Test
  void aLibvirtTargetTakesALongDaemonPathAndDefaultsToTheSessionConnection() {
    String daemon =
        "/var/lib/kubelet/pods/0f3c7a52-9d1e-4b6a-8c2f-5e4d3b2a1f00/volumes/kubernetes.io~empty-dir/"
            + "libvirt-runtime/virtqemud-sock";

    CliArguments cli =
        CliParser.parse("agent", "status", "--libvirt-socket", daemon, "--domain=prod_db-01");

    assertThat(cli.targets())
        .containsExactly(AgentTarget.libvirt(Path.of(daemon), "prod_db-01", "qemu:///session"));
    assertThat(
            CliParser.parse(
                    "recover",
                    "--libvirt-socket",
                    daemon,
                    "--domain",
                    "a",
                    "--domain",
                    "b",
                    "--libvirt-uri",
                    "qemu:///system")
                .targets())
        .extracting(AgentTarget::domain, AgentTarget::libvirtUri)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", "qemu:///system"),
            org.assertj.core.groups.Tuple.tuple("b", "qemu:///system"));
  }

  @Test
  void refusesDomainNamesWithControlCharacters() {
    assertThatThrownBy(
            () -> CliParser.parse("agent", "ping", "--libvirt-socket", "/l", "--domain", "a\nb"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("invalid domain name 'a?b'");
  }
}
