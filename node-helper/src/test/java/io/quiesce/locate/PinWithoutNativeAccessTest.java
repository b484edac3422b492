package io.quiesce.locate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started without the helper's fixed flags cannot open a socket without following links: it
 * must refuse the socket (fail closed, naming the flags), not connect by path. Run in a JVM of its
 * own, since this one has the flags.
 */
class PinWithoutNativeAccessTest {
  @TempDir Path tmp;

  @Test
  void withoutTheFlagsEverySocketIsRefusedAndTheMessageNamesThem() throws Exception {
    assertThat(run(PinnedSocket.JVM_FLAGS).output()).startsWith("pinned /proc/self/fd/");

    for (List<String> flags : List.of(List.<String>of(), List.of(PinnedSocket.JVM_FLAGS.get(0)))) {
      Result without = run(flags);
      assertThat(without.exit()).as("exit with " + flags).isEqualTo(2);
      assertThat(without.output())
          .contains("refused: cannot open sockets without following links")
          .contains(String.join(" ", PinnedSocket.JVM_FLAGS));
    }
  }

  private record Result(int exit, String output) {}

  private Result run(List<String> flags) throws IOException, InterruptedException {
    Path socket = tmp.resolve("pods/uid/qga.sock");
    Files.createDirectories(socket.getParent());
    Files.deleteIfExists(socket);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.addAll(flags);
      command.add(PinProbe.class.getName());
      command.add(tmp.toString());
      command.add("pods/uid/qga.sock");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      // the JVM's own "WARNING: Using incubator modules" line aside
      return new Result(
          p.exitValue(), out.lines().filter(l -> !l.startsWith("WARNING")).findFirst().orElse(""));
    }
  }

  /** Pins one socket and says what happened. */
  public static final class PinProbe {
    public static void main(String[] args) {
      try (PinnedSocket pinned = PinnedSocket.open(Path.of(args[0]), Path.of(args[1]))) {
        System.out.println("pinned " + pinned.address());
      } catch (UnsafePathException e) {
        System.out.println("refused: " + e.getMessage());
        System.exit(2);
      }
    }
  }
}
