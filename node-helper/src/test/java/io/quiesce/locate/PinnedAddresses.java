package io.quiesce.locate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** For tests whose fake openers record which socket they were given. */
public final class PinnedAddresses {
  private PinnedAddresses() {}

  /**
   * The path of the socket behind a pinned address ({@code /proc/self/fd/<n>}: the kernel's name of
   * the open file), or {@code address} itself when it is a plain path.
   */
  public static Path socketBehind(Path address) {
    if (!address.startsWith("/proc/self/fd")) {
      return address;
    }
    try {
      return Files.readSymbolicLink(address);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
