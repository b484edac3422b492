package io.quiesce.helper;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Main} in its own JVM, as {@code java -jar node-helper.jar} runs it. */
class MainTest {

    @Test
    void aMissingSocketFailsWithOneClearLine() throws Exception {
        MainProcess.Run run = MainProcess.main("agent", "ping", "--socket", "/run/quiesce-no-such-dir/qga.sock");

        assertThat(run.exitCode()).isEqualTo(ExitCode.AGENT_ERROR.code());
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).hasLineCount(1).contains("AgentUnavailable", "/run/quiesce-no-such-dir/qga.sock");
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
}
