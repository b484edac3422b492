package io.quiesce.libvirt;

import io.quiesce.agent.AgentProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a libvirt daemon: length-framed packets out and in, replies paired with their
 * call by serial, every read bounded by a deadline and every packet by {@link
 * RemoteProtocol#MAX_PACKET_BYTES}. Knows nothing about what the calls mean.
 */
final class LibvirtConnection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LibvirtConnection.class);

  private final AFUNIXSocket socket;
  private final InputStream in;
  private final OutputStream out;
  private int serial;

  private LibvirtConnection(AFUNIXSocket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to the daemon socket at {@code path}, of any length (see {@link ShortSocketPath}).
   *
   * @throws SocketTimeoutException when the connect does not complete in time
   * @throws IOException when the socket is missing or refuses
   */
  static LibvirtConnection open(Path path, Duration timeout) throws IOException {
    AFUNIXSocket socket = AFUNIXSocket.newInstance();
    try (ShortSocketPath address = ShortSocketPath.of(path)) {
      // as for the agent socket: junixsocket ignores connect()'s timeout on a full backlog, the
      // socket timeout bounds it
      socket.setSoTimeout(saturatedMillis(timeout.toNanos()));
      socket.connect(address.address(), saturatedMillis(timeout.toNanos()));
      return new LibvirtConnection(socket);
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  /**
   * Calls {@code procedure} of {@code program} with the encoded {@code args} and returns the body
   * of its reply, positioned after the header. Packets that are not the reply (the daemon's
   * keepalive pings, events, late replies to earlier calls) are answered or skipped.
   *
   * @throws LibvirtCallException the daemon answered with an error
   * @throws SocketTimeoutException no reply before the deadline
   * @throws EOFException the daemon closed the connection
   * @throws AgentProtocolException a malformed or oversized packet
   */
  XdrReader call(int program, int procedure, byte[] args, long deadlineNanos) throws IOException {
    PacketHeader call = PacketHeader.call(program, procedure, ++serial);
    send(call, args, deadlineNanos);
    while (true) {
      byte[] packet = readPacket(deadlineNanos);
      XdrReader body = new XdrReader(packet);
      PacketHeader header = PacketHeader.decode(body);
      if (header.isReplyTo(call)) {
        if (header.program() != program || header.procedure() != procedure) {
          throw new AgentProtocolException(
              "libvirt reply to serial " + call.serial() + " is for another call: " + header);
        }
        if (header.status() == PacketHeader.STATUS_ERROR) {
          throw new LibvirtCallException(LibvirtError.decode(body));
        }
        return body;
      }
      skipOrAnswer(header, call, deadlineNanos);
    }
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  private void skipOrAnswer(PacketHeader header, PacketHeader call, long deadlineNanos)
      throws IOException {
    if (header.type() == PacketHeader.TYPE_MESSAGE
        && header.program() == RemoteProtocol.KEEPALIVE_PROGRAM
        && header.procedure() == RemoteProtocol.KEEPALIVE_PROC_PING) {
      send(
          new PacketHeader(
              RemoteProtocol.KEEPALIVE_PROGRAM,
              RemoteProtocol.PROGRAM_VERSION,
              RemoteProtocol.KEEPALIVE_PROC_PONG,
              PacketHeader.TYPE_MESSAGE,
              0,
              PacketHeader.STATUS_OK),
          new byte[0],
          deadlineNanos);
      return;
    }
    if (header.type() == PacketHeader.TYPE_REPLY
        && Integer.compareUnsigned(header.serial(), call.serial()) > 0) {
      throw new AgentProtocolException(
          "libvirt reply to serial "
              + header.serial()
              + ", never sent (last "
              + call.serial()
              + ")");
    }
    LOG.debug("skipping a libvirt packet while waiting for serial {}: {}", call.serial(), header);
  }

  private void send(PacketHeader header, byte[] args, long deadlineNanos) throws IOException {
    XdrWriter packet = new XdrWriter().writeInt(PacketHeader.WIRE_BYTES + args.length);
    header.encode(packet);
    byte[] head = packet.toByteArray();
    byte[] bytes = new byte[head.length + args.length];
    System.arraycopy(head, 0, bytes, 0, head.length);
    System.arraycopy(args, 0, bytes, head.length, args.length);
    if (bytes.length > RemoteProtocol.MAX_PACKET_BYTES) {
      throw new IllegalArgumentException(
          "call of " + bytes.length + " bytes exceeds the packet limit");
    }
    // junixsocket's socket timeout bounds writes too: a daemon that does not read cannot block us
    socket.setSoTimeout(remainingMillis(deadlineNanos));
    out.write(bytes);
    out.flush();
  }

  /** One packet without its length word; the length is checked before the body is allocated. */
  private byte[] readPacket(long deadlineNanos) throws IOException {
    byte[] lengthWord = readFully(4, deadlineNanos);
    long length = new XdrReader(lengthWord).readUnsignedInt();
    if (length < PacketHeader.WIRE_BYTES || length > RemoteProtocol.MAX_PACKET_BYTES) {
      throw new AgentProtocolException(
          "libvirt packet length "
              + length
              + " outside "
              + PacketHeader.WIRE_BYTES
              + ".."
              + RemoteProtocol.MAX_PACKET_BYTES);
    }
    return readFully((int) length - 4, deadlineNanos);
  }

  private byte[] readFully(int n, long deadlineNanos) throws IOException {
    byte[] b = new byte[n];
    int off = 0;
    while (off < n) {
      socket.setSoTimeout(remainingMillis(deadlineNanos));
      int r = in.read(b, off, n - off);
      if (r < 0) {
        throw new EOFException(
            "libvirt daemon closed the connection"
                + (off > 0 ? " in the middle of a packet (" + off + " of " + n + " bytes)" : ""));
      }
      off += r;
    }
    return b;
  }

  private static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      throw new SocketTimeoutException("deadline passed");
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
      // closing a broken socket has nothing left to report
    }
  }
}
