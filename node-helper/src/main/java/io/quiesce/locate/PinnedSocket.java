package io.quiesce.locate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * A unix socket file held open by the helper ({@code O_PATH}), found by walking its path from a
 * trusted directory one component at a time without following any link. Its {@link #address()},
 * {@code /proc/self/fd/<n>}, connects to exactly the inode that was checked: a launcher that swaps
 * a component of the path for a link after the check changes nothing the helper connects to
 * (connect() resolves the magic link to the open file, not the path again). The address is short
 * whatever the path's length, so no socket address limit applies either.
 *
 * <p>Close it when no more connects are needed; a connected socket stays connected.
 */
public final class PinnedSocket implements AutoCloseable {
  /**
   * The flags a JVM that pins sockets must run with (the chart's helper command has them; without
   * them {@link #open} refuses every socket).
   */
  public static final List<String> JVM_FLAGS =
      List.of("--add-modules=jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED");

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private final Path path;
  private final int fd;
  private boolean closed;

  private PinnedSocket(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /**
   * Opens {@code trusted.resolve(below)}: {@code trusted} as it is (configuration: an allowed root,
   * links in it followed), then every component of {@code below} relative to the one before,
   * refusing links, {@code .} and {@code ..}; the last one must be a socket.
   *
   * @throws UnsafePathException when a component is a link, missing or of the wrong kind, or when
   *     this JVM cannot open files without following links (see {@link NoFollowOpen})
   */
  public static PinnedSocket open(Path trusted, Path below) throws UnsafePathException {
    Path socket = trusted.resolve(below);
    if (!trusted.isAbsolute() || below.isAbsolute() || below.getNameCount() == 0) {
      throw new UnsafePathException("socket " + socket + " is not below " + trusted);
    }
    int dir = NoFollowOpen.directory(trusted);
    try {
      for (int i = 0; i < below.getNameCount(); i++) {
        String name = below.getName(i).toString();
        if (name.equals(".") || name.equals("..") || name.isEmpty()) {
          throw new UnsafePathException("socket path " + socket + " has a " + name + " component");
        }
        boolean last = i == below.getNameCount() - 1;
        int next = NoFollowOpen.child(dir, name, !last);
        if (next < 0) {
          throw new UnsafePathException(refusal(trusted.resolve(below.subpath(0, i + 1)), last));
        }
        NoFollowOpen.close(dir);
        dir = next;
      }
      int mode = mode(dir);
      if ((mode & S_IFMT) != S_IFSOCK) {
        throw new UnsafePathException(
            "socket "
                + socket
                + " is not a socket any more ("
                + ((mode & S_IFMT) == 0120000 ? "a link" : "mode " + Integer.toOctalString(mode))
                + "); refusing to connect");
      }
      PinnedSocket pinned = new PinnedSocket(socket, dir);
      dir = -1;
      return pinned;
    } finally {
      if (dir >= 0) {
        NoFollowOpen.close(dir);
      }
    }
  }

  /** The path this socket was found at (for messages). */
  public Path path() {
    return path;
  }

  /** Where to connect: {@code /proc/self/fd/<n>}, valid until {@link #close()}. */
  public Path address() {
    return Path.of("/proc/self/fd/" + fd);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      NoFollowOpen.close(fd);
    }
  }

  @Override
  public String toString() {
    return path + " (pinned as " + address() + ")";
  }

  /** The file's mode, read through the open descriptor (the magic link is followed to it). */
  private static int mode(int fd) throws UnsafePathException {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:mode");
    } catch (IOException | RuntimeException e) {
      throw new UnsafePathException("cannot read the mode of an open socket: " + e.getMessage());
    }
  }

  /** Why a component could not be opened, for the message (the refusal itself is the open's). */
  private static String refusal(Path at, boolean last) {
    String what;
    if (Files.isSymbolicLink(at)) {
      what = "is a link; links are not followed here";
    } else if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
      what = "does not exist";
    } else if (!last && !Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
      what = "is not a directory";
    } else {
      what = "cannot be opened";
    }
    return "socket path component " + at + " " + what + "; refusing to connect";
  }
}
