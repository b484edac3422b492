package io.quiesce.testkit.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real kubectl and helm binaries that {@code hack/lib/kube-tools.sh} installs (from {@code
 * QUIESCE_KUBECTL}/{@code QUIESCE_HELM}, else its cache dir), and running them. When one is missing
 * the test is skipped with the reason, and fails under {@code CI=true}, where the test command must
 * have installed it.
 */
public final class KubeTools {
  private static final String VERSION = "2.2.2";
  private static final Duration TIMEOUT = Duration.ofSeconds(180);

  private KubeTools() {}

  /** The kubectl binary (1.35). */
  public static Path kubectl() {
    return binary("QUIESCE_KUBECTL", "kubectl");
  }

  /** The helm binary (v4). */
  public static Path helm() {
    return binary("QUIESCE_HELM", "helm");
  }

  private static Path binary(String variable, String name) {
    String configured = System.getenv(variable);
    Path path =
        configured != null
            ? Path.of(configured)
            : Path.of(
                System.getProperty("user.home"), ".cache", "quiesce", "kube-tools", VERSION, name);
    if (!Files.isExecutable(path)) {
      String reason =
          name + " not found at " + path + ": run hack/test.sh (it installs it) or set " + variable;
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(reason);
      }
      Assumptions.abort(reason);
    }
    return path;
  }

  /** What a finished command printed, and its exit code. */
  public record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /**
   * Runs a command with {@code KUBECONFIG} set and no other kube settings from the user's
   * environment, optionally feeding it stdin; waits at most three minutes.
   */
  public static Result run(
      Path kubeconfig, Map<String, String> env, String stdin, String... command) {
    List<String> line = new ArrayList<>(List.of(command));
    ProcessBuilder builder = new ProcessBuilder(line);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder
        .environment()
        .put("HOME", kubeconfig.getParent().toString()); // kubectl's cache, helm's config
    builder.environment().putAll(env);
    try {
      Path out = Files.createTempFile(kubeconfig.getParent(), "out", ".txt");
      Path err = Files.createTempFile(kubeconfig.getParent(), "err", ".txt");
      builder.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process process = builder.start();
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out after " + TIMEOUT + ": " + line);
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
