package io.quiesce.agent;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * One connection to an agent socket: raw bytes out, bounded lines in, every read bounded by a
 * deadline. Knows nothing about JSON or the handshake; {@link QgaClient} does.
 */
final class QgaConnection implements AutoCloseable {

  private final AFUNIXSocket socket;
  private final InputStream in;
  private final OutputStream out;
  private final BoundedLineBuffer lines;

  private QgaConnection(AFUNIXSocket socket, int maxLineBytes) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.lines = new BoundedLineBuffer(maxLineBytes);
  }

  /**
   * Connects to {@code path}.
   *
   * @throws SocketTimeoutException when the connect does not complete in time
   * @throws IOException when the socket is missing or refuses
   */
  static QgaConnection open(Path path, Duration timeout, int maxLineBytes) throws IOException {
    AFUNIXSocket socket = AFUNIXSocket.newInstance();
    try {
      // A unix connect() blocks while the listener's backlog is full (QEMU listens with a
      // backlog of 1 and accepts nothing while a client is served), and junixsocket ignores
      // connect()'s own timeout there: the socket timeout bounds it.
      socket.setSoTimeout(saturatedMillis(timeout.toNanos()));
      socket.connect(AFUNIXSocketAddress.of(path), saturatedMillis(timeout.toNanos()));
      return new QgaConnection(socket, maxLineBytes);
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  /**
   * Writes {@code bytes}; a peer that does not read makes the write time out at the deadline
   * (junixsocket's socket timeout bounds writes as well as reads).
   *
   * @throws SocketTimeoutException when the bytes could not be written before the deadline
   */
  void send(byte[] bytes, long deadlineNanos) throws IOException {
    socket.setSoTimeout(remainingMillis(deadlineNanos));
    out.write(bytes);
    out.flush();
  }

  /**
   * The next line, without its newline.
   *
   * @param deadlineNanos {@link System#nanoTime()} after which to give up
   * @throws SocketTimeoutException when no complete line arrived before the deadline
   * @throws EOFException when the peer closed the connection
   * @throws AgentProtocolException when the line grows past the size limit
   */
  byte[] readLine(long deadlineNanos) throws IOException {
    while (true) {
      byte[] line = lines.pollLine();
      if (line != null) {
        return line;
      }
      socket.setSoTimeout(remainingMillis(deadlineNanos));
      if (lines.readFrom(in) < 0) {
        throw new EOFException("agent closed the connection");
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  private int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      throw new SocketTimeoutException(
          "deadline passed (" + lines.pendingBytes() + " reply bytes pending)");
    }
    return saturatedMillis(remaining);
  }

  private static int saturatedMillis(long nanos) {
    // at least 1: a socket timeout of 0 would mean "wait forever"
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos) + 1));
  }

  private static void closeQuietly(AFUNIXSocket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a unix socket that is already broken has nothing left to report
    }
  }
}
