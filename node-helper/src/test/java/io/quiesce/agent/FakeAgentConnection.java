package io.quiesce.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One client connection as the {@link FakeQgaServer} sees it: read requests, write anything. */
public final class FakeAgentConnection {

  /** What qemu-ga 7.2 answers to the stray 0xFF before a sync request. */
  public static final String PARSE_ERROR_REPLY =
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REQUEST = 64 * 1024;

  private final SocketChannel channel;
  private final CountDownLatch serverClosed;
  private final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);

  FakeAgentConnection(SocketChannel channel, CountDownLatch serverClosed) {
    this.channel = channel;
    this.serverClosed = serverClosed;
    in.flip();
  }

  /** A request as received: whether a 0xFF preceded it, and its JSON. */
  public record Request(boolean delimited, JsonNode json) {
    public String command() {
      return json.path("execute").asText();
    }

    public JsonNode arguments() {
      return json.path("arguments");
    }

    /** The request's {@code id} member as JSON text, or null when it has none. */
    public String idJson() {
      return json.has("id") ? json.get("id").toString() : null;
    }
  }

  /** Reads the next request (blocks until one arrives or the connection closes). */
  public Request readRequest() throws IOException {
    byte[] line = readLine();
    int start = 0;
    while (start < line.length && line[start] == (byte) 0xFF) {
      start++;
    }
    try {
      return new Request(start > 0, JSON.readTree(line, start, line.length - start));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "client sent a request that is not JSON", e); // fails the test
    }
  }

  /** Reads a request that must be a delimited guest-sync-delimited one; returns its id. */
  public long readSync() throws IOException {
    Request sync = readRequest();
    if (!sync.delimited() || !"guest-sync-delimited".equals(sync.command())) {
      throw new IllegalStateException("expected 0xFF + guest-sync-delimited, got " + sync);
    }
    return sync.arguments().path("id").asLong();
  }

  /**
   * Reads the client's handshake and answers it like the real agent: parse error, then 0xFF + id.
   */
  public void answerSync() throws IOException {
    long id = readSync();
    writeLine(PARSE_ERROR_REPLY);
    writeDelimitedReturn(id);
  }

  /** Reads the next request, which must be {@code command}. */
  public Request expect(String command) throws IOException {
    Request r = readRequest();
    if (!command.equals(r.command())) {
      throw new IllegalStateException("expected " + command + ", got " + r.json());
    }
    return r;
  }

  /** {@code {"return": <returnJson>, "id": <the request's id>}}. */
  public void replyReturn(Request to, String returnJson) throws IOException {
    writeLine("{\"return\": " + returnJson + idMember(to) + "}");
  }

  /** {@code {"error": {"class": ..., "desc": ...}, "id": <the request's id>}}. */
  public void replyError(Request to, String errorClass, String desc) throws IOException {
    writeLine(
        "{\"error\": {\"class\": "
            + JSON.valueToTree(errorClass)
            + ", \"desc\": "
            + JSON.valueToTree(desc)
            + "}"
            + idMember(to)
            + "}");
  }

  public void writeDelimitedReturn(long id) throws IOException {
    write(
        concat(
            new byte[] {(byte) 0xFF},
            ("{\"return\": " + id + "}\n").getBytes(StandardCharsets.UTF_8)));
  }

  public void writeLine(String line) throws IOException {
    write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public void write(String text) throws IOException {
    write(text.getBytes(StandardCharsets.UTF_8));
  }

  public void write(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /**
   * Stays silent, reading and dropping whatever comes, until the client disconnects (as QEMU
   * notices it) or the server closes.
   */
  public void holdOpen() throws IOException {
    ByteBuffer sink = ByteBuffer.allocate(4096);
    while (channel.read(sink) >= 0) {
      sink.clear();
    }
  }

  /** Injected latency: stays silent for {@code d}, or less if the server closes first. */
  public void pause(Duration d) throws InterruptedException {
    serverClosed.await(d.toNanos(), TimeUnit.NANOSECONDS);
  }

  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to do about a socket that fails to close
    }
  }

  private byte[] readLine() throws IOException {
    while (true) {
      for (int i = in.position(); i < in.limit(); i++) {
        if (in.get(i) == '\n') {
          byte[] line = new byte[i - in.position()];
          in.get(line);
          in.get(); // the newline
          return line;
        }
      }
      in.compact();
      if (!in.hasRemaining()) {
        throw new IOException("request longer than " + MAX_REQUEST + " bytes");
      }
      int n = channel.read(in);
      in.flip();
      if (n < 0) {
        throw new EOFException("client closed the connection");
      }
    }
  }

  private static String idMember(Request to) {
    return to.idJson() == null ? "" : ", \"id\": " + to.idJson();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
