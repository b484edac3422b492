package io.quiesce.testkit.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Java runtime an image ships, made here: the local JDK's {@code jlink} with the module list
 * and flags of the Dockerfile's jlink stage (read from it). Built once per module list under a
 * cache directory ({@code target/}) and reused by later runs.
 */
public final class JlinkRuntime {
  private static final Duration JLINK_TIMEOUT = Duration.ofMinutes(3);

  private final Path home;

  private JlinkRuntime(Path home) {
    this.home = home;
  }

  /**
   * The runtime of {@code facts}' module list, built under {@code cacheRoot} unless there already.
   */
  public static JlinkRuntime of(DockerfileFacts facts, Path cacheRoot) {
    String modules = facts.moduleList();
    Path home = cacheRoot.resolve("jlink-" + sha256(modules + facts.jlinkFlags()).substring(0, 16));
    if (Files.isExecutable(home.resolve("bin/java"))) {
      return new JlinkRuntime(home);
    }
    try {
      Files.createDirectories(cacheRoot);
      Path staging = Files.createTempDirectory(cacheRoot, "jlink-staging");
      Path output = staging.resolve("runtime");
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "jlink").toString(),
                  "--add-modules",
                  modules));
      command.addAll(facts.jlinkFlags());
      command.addAll(List.of("--output", output.toString()));
      Path log = staging.resolve("jlink.log");
      Process jlink =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!jlink.waitFor(JLINK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        jlink.destroyForcibly();
        throw new IllegalStateException("jlink did not finish within " + JLINK_TIMEOUT);
      }
      if (jlink.exitValue() != 0) {
        throw new IllegalStateException("jlink " + modules + " failed: " + Files.readString(log));
      }
      try {
        Files.move(output, home, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException e) {
        // another JVM made it meanwhile: use theirs
      }
      deleteTree(staging);
      return new JlinkRuntime(home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running jlink", e);
    }
  }

  /**
   * What {@code jdeps --ignore-missing-deps --multi-release 17 --print-module-deps} finds that
   * {@code jar} needs: the list each Dockerfile's jlink stage starts from.
   */
  public static List<String> jdepsModules(Path jar) {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "jdeps").toString(),
            "--ignore-missing-deps",
            "--multi-release",
            "17",
            "--print-module-deps",
            jar.toString());
    try {
      Process jdeps = new ProcessBuilder(command).redirectErrorStream(true).start();
      jdeps.getOutputStream().close();
      byte[] output = jdeps.getInputStream().readNBytes(64 * 1024);
      if (!jdeps.waitFor(JLINK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        jdeps.destroyForcibly();
        throw new IllegalStateException("jdeps did not finish within " + JLINK_TIMEOUT);
      }
      String text = new String(output, StandardCharsets.UTF_8).strip();
      if (jdeps.exitValue() != 0 || !text.matches("[\\w.,]+")) {
        throw new IllegalStateException("jdeps " + jar + " failed: " + text);
      }
      return List.of(text.split(","));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running jdeps", e);
    }
  }

  /** The runtime's {@code bin/java}. */
  public Path java() {
    return home.resolve("bin/java");
  }

  /** The modules the runtime has ({@code release} file's MODULES line). */
  public List<String> modules() {
    try {
      return Files.readAllLines(home.resolve("release")).stream()
          .filter(l -> l.startsWith("MODULES="))
          .map(l -> l.substring("MODULES=".length()).replace("\"", "").trim())
          .flatMap(l -> Stream.of(l.split("\\s+")))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
