package io.quiesce.window;

import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A socket root laid out as KubeVirt's: {@code <root>/<launcher pod UID>/qga.sock}, each a hard
 * link to a real agent socket, so that the helper's real locator finds it from the VMI's launcher
 * pod.
 */
public final class GuestSocketDir implements AutoCloseable {
  static final String SOCKET = "qga.sock";
  private final Path root;

  private GuestSocketDir(Path root) {
    this.root = root;
  }

  /** A fresh root under /tmp (short: socket paths are limited to 107 bytes). */
  public static GuestSocketDir create() {
    try {
      return new GuestSocketDir(Files.createTempDirectory(Path.of("/tmp"), "qsr"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path root() {
    return root;
  }

  /** The template that finds {@link #link linked} sockets. */
  public String template() {
    return root + "/{podUID}/" + SOCKET;
  }

  /** Where the VM's socket is expected: its (first) launcher pod's directory. */
  public Path expectedSocket(VmScenario vm) {
    return root.resolve(vm.launcherPods().get(0).getMetadata().getUid()).resolve(SOCKET);
  }

  /**
   * Makes the VM's expected socket a hard link to {@code socket} (same file system: both under
   * /tmp), so that the socket is in the pod's own directory as KubeVirt's is; the helper refuses a
   * symlink that leaves that directory.
   */
  public void link(VmScenario vm, Path socket) {
    Path expected = expectedSocket(vm);
    try {
      Files.createDirectories(expected.getParent());
      Files.createLink(expected, socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> all = paths.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
