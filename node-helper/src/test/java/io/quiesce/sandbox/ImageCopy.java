package io.quiesce.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Copies a disk image with {@code cp --reflink=auto --sparse=always}, bounded in time. */
final class ImageCopy {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private ImageCopy() {}

  /**
   * Copies {@code source} to {@code target} through a temporary file, so a half copy is never seen.
   */
  static void copy(Path source, Path target) throws IOException, InterruptedException {
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    Process cp =
        new ProcessBuilder(
                "cp", "--reflink=auto", "--sparse=always", source.toString(), partial.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!cp.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      cp.destroyForcibly();
      Files.deleteIfExists(partial);
      throw new IOException("cp of " + source + " did not finish within " + TIMEOUT);
    }
    if (cp.exitValue() != 0) {
      Files.deleteIfExists(partial);
      throw new IOException("cp of " + source + " failed with exit code " + cp.exitValue());
    }
    Files.move(
        partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
