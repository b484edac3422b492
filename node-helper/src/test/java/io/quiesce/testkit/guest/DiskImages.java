package io.quiesce.testkit.guest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Host-side checks of raw ext4 images (copies of the guest's data disk) with e2fsprogs. */
public final class DiskImages {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern SAFE_GUEST_PATH =
      Pattern.compile("/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  // debugfs stat: "User:     0   Group:     0   Project:     0   Size: 219"
  private static final Pattern SIZE = Pattern.compile("\\bSize: (\\d{1,19})\\b");

  private DiskImages() {}

  /**
   * {@code e2fsck -fn image}: a full, read-only check; exit code 0 means the filesystem is clean.
   */
  public static ProcessResult e2fsck(Path image) {
    return Processes.run(TIMEOUT, Map.of(), List.of("e2fsck", "-fn", image.toString()));
  }

  /**
   * The size in bytes of a file inside the image ({@code debugfs stat}), empty when it is not
   * there.
   */
  public static Optional<Long> fileSize(Path image, String pathInImage) {
    requireSafe(pathInImage);
    ProcessResult r =
        Processes.run(
            TIMEOUT, Map.of(), List.of("debugfs", "-R", "stat " + pathInImage, image.toString()));
    if (!r.succeeded()) {
      throw new IllegalStateException("debugfs failed (exit " + r.exitCode() + "): " + r.output());
    }
    Matcher size = SIZE.matcher(r.output());
    return size.find() ? Optional.of(Long.parseLong(size.group(1))) : Optional.empty();
  }

  /**
   * The content of a file inside the image, read with {@code debugfs} without mounting it (at most
   * the last {@link Processes#OUTPUT_TAIL_BYTES} bytes).
   */
  public static String readFile(Path image, String pathInImage) {
    requireSafe(pathInImage);
    ProcessResult r =
        Processes.run(
            TIMEOUT, Map.of(), List.of("debugfs", "-R", "cat " + pathInImage, image.toString()));
    if (!r.succeeded()) {
      throw new IllegalStateException("debugfs failed (exit " + r.exitCode() + "): " + r.output());
    }
    return r.output();
  }

  private static void requireSafe(String pathInImage) {
    if (!SAFE_GUEST_PATH.matcher(pathInImage).matches() || pathInImage.contains("..")) {
      throw new IllegalArgumentException("not a plain absolute path: " + pathInImage);
    }
  }
}
