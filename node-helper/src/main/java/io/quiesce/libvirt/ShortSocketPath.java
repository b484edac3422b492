package io.quiesce.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A unix socket address for a path of any length. A socket address holds at most 107 bytes, but
 * KubeVirt's per-pod libvirt socket on the node ({@code
 * /var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock}) is
 * about 120. A longer path is reached through a symlink with a short name in a private (0700)
 * directory of this process, made for the connect and removed by {@link #close()}: connect()
 * follows symlinks, and the socket stays connected once the link is gone.
 */
final class ShortSocketPath implements AutoCloseable {

  /** {@code sun_path} holds 108 bytes including the terminating NUL. */
  static final int MAX_ADDRESS_BYTES = 107;

  private static final Path TEMP_ROOT = Path.of("/tmp");

  private final AFUNIXSocketAddress address;
  private final Path linkDir;

  private ShortSocketPath(AFUNIXSocketAddress address, Path linkDir) {
    this.address = address;
    this.linkDir = linkDir;
  }

  static ShortSocketPath of(Path socket) throws IOException {
    Path target = socket.toAbsolutePath().normalize();
    if (target.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_ADDRESS_BYTES) {
      return new ShortSocketPath(AFUNIXSocketAddress.of(target), null);
    }
    Path dir =
        Files.createTempDirectory(
            TEMP_ROOT,
            "qsock",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      Path link = Files.createSymbolicLink(dir.resolve("s"), target);
      return new ShortSocketPath(AFUNIXSocketAddress.of(link), dir);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
  }

  AFUNIXSocketAddress address() {
    return address;
  }

  /** Removes the symlink and its directory, if one was made. */
  @Override
  public void close() {
    if (linkDir != null) {
      deleteQuietly(linkDir.resolve("s"));
      deleteQuietly(linkDir);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover empty dir under /tmp is harmless
    }
  }
}
