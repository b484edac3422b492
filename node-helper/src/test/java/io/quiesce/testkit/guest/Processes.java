package io.quiesce.testkit.guest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs host helper processes (the guest script, cp, e2fsck, debugfs) with a timeout and bounded
 * output.
 */
public final class Processes {

  /** Keep at most this much of a process's output: enough for any error, never a memory problem. */
  static final int OUTPUT_TAIL_BYTES = 256 * 1024;

  private Processes() {}

  public static ProcessResult run(Duration timeout, Map<String, String> env, List<String> command) {
    Path out = null;
    try {
      out = Files.createTempFile("quiesce-proc", ".log");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + "; output:\n"
                + tail(out, 4096));
      }
      return new ProcessResult(p.exitValue(), tail(out, OUTPUT_TAIL_BYTES));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  /** The last {@code maxBytes} of a file, decoded leniently. */
  static String tail(Path file, int maxBytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      int n = (int) Math.min(len, maxBytes);
      byte[] b = new byte[n];
      f.seek(len - n);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    }
  }
}
