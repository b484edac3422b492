package io.quiesce.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * FAKE qemu-guest-agent for failure injection: a JDK unix-socket server that runs a test's {@link
 * Script} on each accepted connection, one connection at a time like QEMU's chardev. Everything
 * runs on daemon threads, and {@link #close()} closes every socket, which ends any script blocked
 * on a read, a write or {@link FakeAgentConnection#holdOpen()}.
 */
public final class FakeQgaServer implements AutoCloseable {

  /** What the fake does with one connection. */
  @FunctionalInterface
  public interface Script {
    void serve(FakeAgentConnection connection) throws Exception;
  }

  /** QEMU's socket chardev listens with a backlog of 1 (Linux then queues 2 connections). */
  static final int QEMU_BACKLOG = 1;

  private final Path socketPath;
  private final ServerSocketChannel server;
  private final Script script;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<FakeAgentConnection> open = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicReference<Throwable> scriptFailure = new AtomicReference<>();
  private final Thread acceptor;

  private FakeQgaServer(Path socketPath, Script script) throws IOException {
    this.socketPath = socketPath;
    this.script = script;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socketPath), QEMU_BACKLOG);
    this.acceptor = new Thread(this::acceptLoop, "fake-qga-" + socketPath.getFileName());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on {@code dir/qga.sock} and serves each connection with {@code script}. */
  public static FakeQgaServer start(Path dir, Script script) throws IOException {
    return new FakeQgaServer(dir.resolve("qga.sock"), script);
  }

  public Path socketPath() {
    return socketPath;
  }

  /** Connections accepted so far. */
  public int connections() {
    return accepted.get();
  }

  /**
   * The first unexpected exception a script threw (socket closed by the client is not one), if any.
   */
  public Throwable scriptFailure() {
    return scriptFailure.get();
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    server.close();
    for (FakeAgentConnection c : open) {
      c.close();
    }
    Files.deleteIfExists(socketPath);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        return; // server closed
      }
      accepted.incrementAndGet();
      FakeAgentConnection connection = new FakeAgentConnection(channel, closed);
      open.add(connection);
      try {
        script.serve(connection);
      } catch (IOException e) {
        // the client closed or the test ended: expected for most scripts
      } catch (Throwable t) { // a broken script must fail its test, not vanish with the thread
        scriptFailure.compareAndSet(null, t);
      } finally {
        connection.close();
        open.remove(connection);
      }
    }
  }
}
