package io.quiesce.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SIGTERM → JVM shutdown hook → the engine thaws what it froze before the process exits. */
class ThawOnSigtermTest {
  private Process child;

  @AfterEach
  void killChild() {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
    }
  }

  @Test
  void aTerminatedHelperThawsItsFrozenGuestBeforeExiting() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ThawOnSigtermChild.class.getName())
            .redirectErrorStream(true)
            .start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> readLines(child, output), "child-output");
    reader.setDaemon(true);
    reader.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> output.contains("ready") || !child.isAlive());
    assertThat(output).as("child output").contains("agent FROZEN", "ready");

    // SIGTERM through the handle: Process.destroy() would also close our end of the child's stdout
    assertThat(child.toHandle().destroy()).isTrue();

    assertThat(child.waitFor(15, TimeUnit.SECONDS)).as("exited within the grace").isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(5));
    assertThat(output)
        .as("child output")
        .containsSubsequence("agent FROZEN", "ready", "agent THAWED");
    assertThat(child.exitValue()).as("terminated by SIGTERM").isEqualTo(143);
  }

  private static void readLines(Process process, List<String> into) {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        into.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
