package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Main} in its own JVM, as {@code java -jar node-helper.jar} runs it. */
class MainTest {

  @Test
  void aMissingSocketFailsWithOneClearLine() throws Exception {
    // as in the helper's pod, whose QUIESCE_LOG_LEVEL is the server's: the command line stays quiet
    MainProcess.Run run =
        MainProcess.main(
            Map.of("QUIESCE_LOG_LEVEL", "debug"),
            "agent",
            "ping",
            "--socket",
            "/run/quiesce-no-such-dir/qga.sock");

    assertThat(run.exitCode()).isEqualTo(ExitCode.AGENT_ERROR.code());
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .hasLineCount(1)
        .contains("AgentUnavailable", "/run/quiesce-no-such-dir/qga.sock");
  }

  @Test
  void usageErrorsAndHelpNeedNoAgent() throws Exception {
    MainProcess.Run usage = MainProcess.main();
    assertThat(usage.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(usage.err()).hasLineCount(1).startsWith("quiesce: usage: no command given");

    MainProcess.Run help = MainProcess.main("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).startsWith("usage: ");
    assertThat(help.err()).isEmpty();
  }

  @Test
  void aBadLogSettingStopsTheStartNamingTheVariable() throws Exception {
    MainProcess.Run level = MainProcess.main(Map.of("QUIESCE_LOG_LEVEL", "verbose"), "run");
    assertThat(level.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(level.err())
        .hasLineCount(1)
        .startsWith(
            "node-helper: QUIESCE_LOG_LEVEL: 'verbose' is not one of trace, debug, info, warn, error");

    MainProcess.Run format =
        MainProcess.main(
            Map.of("QUIESCE_LOG_FORMAT", "logfmt"), "agent", "ping", "--socket", "/run/x.sock");
    assertThat(format.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(format.err())
        .isEqualTo("node-helper: QUIESCE_LOG_FORMAT: 'logfmt' is not one of text, json\n");
  }
}
