package io.quiesce.locate;

import java.nio.file.Path;

/**
 * {@code openat(2)} with {@code O_PATH|O_NOFOLLOW}, which Java's file API cannot do, called through
 * the foreign linker of Java 17 (incubator module {@code jdk.incubator.foreign}, see {@link
 * LibcCalls}): the JVM must run with {@link PinnedSocket#JVM_FLAGS} (the chart's helper command,
 * the image's entry point and the build's test JVMs do). Without them every call fails closed with
 * {@link UnsafePathException}: the helper then connects to no socket it found on a path rather than
 * follow one that may have been swapped.
 */
final class NoFollowOpen {
  private static final int AT_FDCWD = -100;
  private static final int O_PATH = 010000000;
  private static final int O_NOFOLLOW = 0400000;
  private static final int O_DIRECTORY = 0200000;
  private static final int O_CLOEXEC = 02000000;

  /** Why the calls cannot be made in this JVM, or null when they can. */
  private static final String PROBLEM = problem();

  private NoFollowOpen() {}

  /** Opens a trusted directory (links in it followed: it is configuration, not guest input). */
  static int directory(Path dir) throws UnsafePathException {
    int fd = openat(AT_FDCWD, dir.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      throw new UnsafePathException("cannot open the socket root " + dir);
    }
    return fd;
  }

  /**
   * Opens {@code name} in the directory open as {@code dir}, never following a link; a link in the
   * last component is opened as the link itself (its mode then says so).
   *
   * @return the descriptor, or -1 when it cannot be opened (missing, a link where a directory is
   *     needed, not a directory)
   */
  static int child(int dir, String name, boolean mustBeDirectory) throws UnsafePathException {
    return openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (mustBeDirectory ? O_DIRECTORY : 0));
  }

  static void close(int fd) {
    if (PROBLEM == null) {
      LibcCalls.close(fd);
    }
  }

  private static int openat(int dir, String name, int flags) throws UnsafePathException {
    if (PROBLEM != null) {
      throw new UnsafePathException(
          "cannot open sockets without following links ("
              + PROBLEM
              + "): start the helper's JVM with "
              + String.join(" ", PinnedSocket.JVM_FLAGS));
    }
    try {
      return LibcCalls.openat(dir, name, flags);
    } catch (RuntimeException e) {
      throw new UnsafePathException("openat of " + name + " failed: " + e);
    }
  }

  /**
   * {@link LibcCalls} names the incubator's types, so it is touched only once the module is known
   * to be there (loading it without would fail with a NoClassDefFoundError).
   */
  private static String problem() {
    if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isEmpty()) {
      return "the JVM lacks module jdk.incubator.foreign";
    }
    try {
      LibcCalls.link();
      return null;
    } catch (IllegalCallerException e) {
      return "native access is not enabled for the helper";
    } catch (RuntimeException | LinkageError e) {
      return "the C library cannot be linked: " + e;
    }
  }
}
