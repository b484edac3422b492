package io.quiesce.testkit.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java process on an image's runtime: {@code <runtime>/bin/java <flags> <args>} with its output
 * (both streams) in a file, read back bounded. {@link #close()} sends SIGTERM and waits, then
 * kills.
 */
public final class RuntimeProcess implements AutoCloseable {
  private static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Process process;
  private final Path output;

  private RuntimeProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * Starts {@code java} of {@code runtime} with {@code args} and {@code env} added to this JVM's
   * environment.
   */
  public static RuntimeProcess start(
      JlinkRuntime runtime, List<String> args, Map<String, String> env, Path output) {
    List<String> command = new ArrayList<>();
    command.add(runtime.java().toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder
        .environment()
        .keySet()
        .removeIf(name -> name.startsWith("QUIESCE_") && !name.equals("QUIESCE_PROJECT_ROOT"));
    builder.environment().putAll(env);
    try {
      Files.createDirectories(output.getParent());
      return new RuntimeProcess(builder.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs to the end (at most {@code timeout}); returns the exit code. */
  public int await(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "did not finish within " + timeout + "; output:\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What the process wrote so far (its last 4 MiB). */
  public String output() {
    try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
      long length = file.length();
      int n = (int) Math.min(length, MAX_OUTPUT_BYTES);
      byte[] bytes = new byte[n];
      file.seek(length - n);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every output line as JSON; fails on a line that is not one JSON object. */
  public List<JsonNode> jsonLines() {
    return output()
        .lines()
        .map(
            line -> {
              try {
                JsonNode node = MAPPER.readTree(line);
                if (node == null || !node.isObject()) {
                  throw new IllegalStateException("not a JSON object: " + line);
                }
                return node;
              } catch (IOException e) {
                throw new IllegalStateException("not one JSON object per line: " + line, e);
              }
            })
        .toList();
  }

  /** HTTP status of {@code GET http://127.0.0.1:port/path}, or -1 while nothing answers. */
  public static int httpStatus(int port, String path) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** SIGTERM, as the kubelet stops a container; returns the exit code. */
  public int terminate(Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("did not stop within " + grace + " of SIGTERM");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
