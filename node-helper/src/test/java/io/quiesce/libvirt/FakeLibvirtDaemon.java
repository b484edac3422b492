package io.quiesce.libvirt;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * FAKE libvirt daemon for failure injection: speaks the remote protocol's framing on a unix socket
 * and answers each call with what the test scripted for its procedure (by default what a real
 * daemon answers for the calls {@link LibvirtAgent} makes). Threads are daemons; {@link #close()}
 * closes every socket.
 */
public final class FakeLibvirtDaemon implements AutoCloseable {

  /**
   * What the fake sends back for one call: raw packets, possibly none (no answer); a null closes
   * the connection.
   */
  @FunctionalInterface
  interface Answer {
    List<byte[]> to(PacketHeader call, XdrReader args) throws IOException;
  }

  static final byte[] UUID = new byte[RemoteProtocol.UUID_BYTES];

  private final Path socket;
  private final ServerSocketChannel server;
  private final Map<Integer, Answer> answers = new ConcurrentHashMap<>();
  private final List<PacketHeader> received = new CopyOnWriteArrayList<>();
  private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
  private volatile String agentResult = "{\"return\":{}}";

  public FakeLibvirtDaemon(Path dir) throws IOException {
    this.socket = dir.resolve("fake-libvirt.sock");
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    answers.put(
        RemoteProtocol.PROC_AUTH_LIST,
        (call, args) -> List.of(ok(call, new XdrWriter().writeInt(1).writeInt(0))));
    answers.put(
        RemoteProtocol.PROC_CONNECT_OPEN, (call, args) -> List.of(ok(call, new XdrWriter())));
    answers.put(
        RemoteProtocol.PROC_CONNECT_CLOSE, (call, args) -> List.of(ok(call, new XdrWriter())));
    answers.put(
        RemoteProtocol.PROC_DOMAIN_LOOKUP_BY_NAME,
        (call, args) -> {
          XdrWriter dom = new XdrWriter();
          new DomainRef(args.readString(1024), UUID, 7).encode(dom);
          return List.of(ok(call, dom));
        });
    answers.put(
        RemoteProtocol.PROC_DOMAIN_FSFREEZE,
        (call, args) -> List.of(ok(call, new XdrWriter().writeInt(1))));
    answers.put(
        RemoteProtocol.PROC_DOMAIN_FSTHAW,
        (call, args) -> List.of(ok(call, new XdrWriter().writeInt(1))));
    answers.put(
        RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
        (call, args) ->
            List.of(
                ok(
                    call,
                    new XdrWriter().writeOptionalString(agentResult, RemoteProtocol.STRING_MAX))));
    Thread acceptor = new Thread(this::acceptLoop, "fake-libvirtd");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public Path socket() {
    return socket;
  }

  /** Replaces the answer to {@code procedure} (of any program). */
  FakeLibvirtDaemon answer(int procedure, Answer answer) {
    answers.put(procedure, answer);
    return this;
  }

  /** What the agent command returns (the agent's whole JSON reply, as libvirt relays it). */
  FakeLibvirtDaemon agentResult(String json) {
    this.agentResult = json;
    return this;
  }

  /**
   * Hosts one domain, as a real daemon does: a lookup of {@code domain}'s name answers with its
   * UUID, any other name with libvirt's "Domain not found".
   */
  public FakeLibvirtDaemon hosting(String domain, java.util.UUID uuid) {
    byte[] bytes =
        java.nio.ByteBuffer.allocate(RemoteProtocol.UUID_BYTES)
            .putLong(uuid.getMostSignificantBits())
            .putLong(uuid.getLeastSignificantBits())
            .array();
    return answer(
        RemoteProtocol.PROC_DOMAIN_LOOKUP_BY_NAME,
        (call, args) -> {
          String asked = args.readString(1024);
          if (!asked.equals(domain)) {
            return List.of(
                error(
                    call,
                    LibvirtError.NO_DOMAIN,
                    "Domain not found: no domain with matching name '" + asked + "'"));
          }
          XdrWriter dom = new XdrWriter();
          new DomainRef(domain, bytes, 7).encode(dom);
          return List.of(ok(call, dom));
        });
  }

  /**
   * The calls on a domain this daemon received (freeze, thaw, agent commands), by name, in order.
   */
  public List<String> domainCalls() {
    return received.stream()
        .filter(h -> h.type() == PacketHeader.TYPE_CALL)
        .map(
            h -> {
              if (h.program() == RemoteProtocol.QEMU_PROGRAM
                  && h.procedure() == RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND) {
                return "agent-command";
              }
              if (h.program() != RemoteProtocol.REMOTE_PROGRAM) {
                return null;
              }
              if (h.procedure() == RemoteProtocol.PROC_DOMAIN_FSFREEZE) {
                return "fsfreeze";
              }
              return h.procedure() == RemoteProtocol.PROC_DOMAIN_FSTHAW ? "fsthaw" : null;
            })
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /** How many connections were accepted. */
  public int connections() {
    return open.size();
  }

  /** Every packet received, in order. */
  List<PacketHeader> received() {
    return received;
  }

  static byte[] ok(PacketHeader call, XdrWriter body) {
    return packet(reply(call, call.serial(), PacketHeader.STATUS_OK), body.toByteArray());
  }

  static byte[] error(PacketHeader call, int code, String message) {
    XdrWriter e =
        new XdrWriter()
            .writeInt(code)
            .writeInt(10)
            .writeOptionalString(message, 4096)
            .writeInt(2)
            .writeBool(false)
            .writeOptionalString(null, 0)
            .writeOptionalString(null, 0)
            .writeOptionalString(null, 0)
            .writeInt(0)
            .writeInt(0)
            .writeBool(false);
    return packet(reply(call, call.serial(), PacketHeader.STATUS_ERROR), e.toByteArray());
  }

  static PacketHeader reply(PacketHeader call, int serial, int status) {
    return new PacketHeader(
        call.program(), call.version(), call.procedure(), PacketHeader.TYPE_REPLY, serial, status);
  }

  /** A framed packet: length word, header, body. */
  static byte[] packet(PacketHeader header, byte[] body) {
    XdrWriter w = new XdrWriter().writeInt(PacketHeader.WIRE_BYTES + body.length);
    header.encode(w);
    byte[] head = w.toByteArray();
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel c : open) {
      c.close();
    }
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel c = server.accept();
        open.add(c);
        Thread t = new Thread(() -> serve(c), "fake-libvirtd-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(SocketChannel c) {
    try (c;
        InputStream rawIn = Channels.newInputStream(c);
        OutputStream out = Channels.newOutputStream(c)) {
      DataInputStream in = new DataInputStream(rawIn);
      while (true) {
        int length = in.readInt();
        byte[] rest = new byte[length - 4];
        in.readFully(rest);
        XdrReader r = new XdrReader(rest);
        PacketHeader call = PacketHeader.decode(r);
        received.add(call);
        if (call.type() != PacketHeader.TYPE_CALL) {
          continue;
        }
        Answer answer = answers.get(call.procedure());
        for (byte[] p :
            answer == null
                ? List.of(error(call, 1, "fake: unscripted procedure"))
                : answer.to(call, r)) {
          if (p == null) { // scripted end of the connection
            return;
          }
          out.write(p);
          out.flush();
        }
      }
    } catch (IOException endOfConnection) {
      // the client or close() ended it
    }
  }
}
