package io.quiesce.helper;

import org.junit.jupiter.api.Test;

<<<<<<< HEAD
=======
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

>>>>>>> images
import static org.assertj.core.api.Assertions.assertThat;

/** {@link Main} in its own JVM, as {@code java -jar node-helper.jar} runs it. */
class MainTest {

<<<<<<< HEAD
    @Test
    void aMissingSocketFailsWithOneClearLine() throws Exception {
        MainProcess.Run run = MainProcess.main("agent", "ping", "--socket", "/run/quiesce-no-such-dir/qga.sock");
=======
    private record Run(int exitCode, String out, String err) {
    }

    private static Run main(String... args) throws IOException, InterruptedException {
        return main(Map.of(), args);
    }

    private static Run main(Map<String, String> env, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[args.length + 4];
        command[0] = java;
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = Main.class.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("QUIESCE_LOG_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aMissingSocketFailsWithOneClearLine() throws Exception {
        // as in the helper's pod, whose QUIESCE_LOG_LEVEL is the server's: the command line stays quiet
        Run run = main(Map.of("QUIESCE_LOG_LEVEL", "debug"), "agent", "ping", "--socket", "/run/quiesce-no-such-dir/qga.sock");
>>>>>>> images

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

    @Test
    void aBadLogSettingStopsTheStartNamingTheVariable() throws Exception {
        Run level = main(Map.of("QUIESCE_LOG_LEVEL", "verbose"), "run");
        assertThat(level.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(level.err()).hasLineCount(1)
                .startsWith("node-helper: QUIESCE_LOG_LEVEL: 'verbose' is not one of trace, debug, info, warn, error");

        Run format = main(Map.of("QUIESCE_LOG_FORMAT", "logfmt"), "agent", "ping", "--socket", "/run/x.sock");
        assertThat(format.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(format.err()).isEqualTo("node-helper: QUIESCE_LOG_FORMAT: 'logfmt' is not one of text, json\n");
    }
}
