package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.testkit.libvirt.ChartSecurityContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@link Main} in its own JVM, as {@code java -jar node-helper.jar} does. */
final class MainProcess {

  record Run(int exitCode, String out, String err) {}

  private MainProcess() {}

  static Run main(String... args) throws IOException, InterruptedException {
    return main(Map.of(), args);
  }

  /**
   * Runs in the chart's security context {@code context}, emulated with setpriv (the test runs as
   * root).
   */
  static Run in(ChartSecurityContext context, String... args)
      throws IOException, InterruptedException {
    return run(context.java(List.of(), Main.class.getName(), List.of(args)), Map.of());
  }

  /**
   * Runs with {@code env} added to this JVM's environment, without any inherited {@code
   * QUIESCE_LOG_*}.
   */
  static Run main(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String[] command = new String[args.length + 4];
    command[0] = java;
    command[1] = "-cp";
    command[2] = System.getProperty("java.class.path");
    command[3] = Main.class.getName();
    System.arraycopy(args, 0, command, 4, args.length);
    return run(List.of(command), env);
  }

  private static Run run(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("QUIESCE_LOG_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
    return new Run(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
