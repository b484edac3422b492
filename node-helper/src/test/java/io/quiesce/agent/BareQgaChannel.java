package io.quiesce.agent;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The benchmarks' baseline way to talk to a guest agent: a bare JDK unix {@link SocketChannel}, one
 * request line out, one reply line in, nothing else (no JSON handling, no framing limits, no typed
 * errors, no timeouts). Only for benchmarks against a trusted test guest.
 */
public final class BareQgaChannel implements AutoCloseable {
  private final SocketChannel channel;
  private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

  private BareQgaChannel(SocketChannel channel) {
    this.channel = channel;
    in.flip();
  }

  /** Connects and synchronizes ({@code 0xFF} + {@code guest-sync-delimited}). */
  public static BareQgaChannel open(Path socket) throws IOException {
    BareQgaChannel bare = new BareQgaChannel(SocketChannel.open(StandardProtocolFamily.UNIX));
    bare.channel.connect(UnixDomainSocketAddress.of(socket));
    long id = System.nanoTime() & 0xFFFFFFFL;
    bare.write("\u00ff{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":" + id + "}}\n");
    String expect = "{\"return\": " + id + "}";
    while (!bare.readLine().endsWith(expect)) {
      // the agent's parse error for the 0xFF
    }
    return bare;
  }

  /** Sends a command without arguments and reads its reply, which must be a return. */
  public void exchange(String command) throws IOException {
    write("{\"execute\":\"" + command + "\"}\n");
    String reply = readLine();
    if (!reply.startsWith("{\"return\"")) {
      throw new IOException(command + " failed: " + reply);
    }
  }

  private void write(String s) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  private String readLine() throws IOException {
    while (true) {
      for (int i = in.position(); i < in.limit(); i++) {
        if (in.get(i) == '\n') {
          byte[] line = new byte[i - in.position()];
          in.get(line);
          in.get();
          return new String(line, StandardCharsets.ISO_8859_1);
        }
      }
      in.compact();
      int n = channel.read(in);
      in.flip();
      if (n < 0) {
        throw new EOFException("agent closed the connection");
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
