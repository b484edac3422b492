package io.quiesce.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link GuestAgent} over the QEMU guest agent protocol, straight on the agent's unix socket.
 *
 * <p>Connects lazily; every new connection, and every connection on which a reply timed out, is
 * first synchronised: {@code 0xFF} then {@code guest-sync-delimited} with a random id, discarding
 * everything up to the agent's delimited echo of that id (the agent's parse error for the 0xFF,
 * late replies to earlier requests). Each request carries an id the agent echoes; replies with
 * another id are discarded. A failed handshake, a lost connection or a protocol violation drops the
 * connection and the next call opens a fresh one.
 *
 * <p>Calls are serialised; {@link #close()} may be called from any thread and makes a blocked call
 * fail at once.
 */
public final class QgaClient implements GuestAgent {

  /** QGA command names, shared with the libvirt channel. */
  public static final String PING = "guest-ping";

  public static final String INFO = "guest-info";
  public static final String STATUS = "guest-fsfreeze-status";
  public static final String FREEZE = "guest-fsfreeze-freeze";
  public static final String FREEZE_LIST = "guest-fsfreeze-freeze-list";
  public static final String THAW = "guest-fsfreeze-thaw";
  public static final String FSINFO = "guest-get-fsinfo";
  public static final String OSINFO = "guest-get-osinfo";

  private static final Logger LOG = LoggerFactory.getLogger(QgaClient.class);

  private final Path socketPath;
  private final QgaSettings settings;
  private final String idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
  private long requests;
  private volatile QgaConnection connection;
  private volatile boolean closed;
  private boolean synced;

  /** A client with {@link QgaSettings#defaults()}. */
  public QgaClient(Path socketPath) {
    this(socketPath, QgaSettings.defaults());
  }

  public QgaClient(Path socketPath, QgaSettings settings) {
    this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public Path socketPath() {
    return socketPath;
  }

  @Override
  public void ping() {
    call(PING, null, settings.commandTimeout());
  }

  @Override
  public GuestInfo info() {
    return QgaReplies.guestInfo(INFO, call(INFO, null, settings.commandTimeout()));
  }

  @Override
  public GuestOsInfo osInfo() {
    return QgaReplies.osInfo(OSINFO, call(OSINFO, null, settings.commandTimeout()));
  }

  @Override
  public FreezeState freezeStatus() {
    return QgaReplies.freezeState(STATUS, call(STATUS, null, settings.commandTimeout()));
  }

  /**
   * {@inheritDoc}
   *
   * @throws AlreadyFrozenException when the guest is frozen already (the agent disables the freeze
   *     commands while frozen; checked with a status call)
   */
  @Override
  public int freeze(List<String> mountpoints) {
    boolean list = mountpoints != null && !mountpoints.isEmpty();
    String command = list ? FREEZE_LIST : FREEZE;
    ObjectNode arguments = null;
    if (list) {
      arguments = QgaJson.object();
      ArrayNode points = arguments.putArray("mountpoints");
      mountpoints.forEach(m -> points.add(Objects.requireNonNull(m, "mountpoint")));
    }
    try {
      return QgaReplies.count(command, call(command, arguments, settings.freezeTimeout()));
    } catch (AgentCommandUnavailableException e) {
      if (frozenAlready()) {
        throw new AlreadyFrozenException(command, e.reason(), e.getMessage());
      }
      throw e;
    }
  }

  @Override
  public int thaw() {
    return QgaReplies.count(THAW, call(THAW, null, settings.thawTimeout()));
  }

  @Override
  public List<GuestFilesystem> filesystems() {
    return QgaReplies.filesystems(FSINFO, call(FSINFO, null, settings.commandTimeout()));
  }

  /**
   * Any other agent command, e.g. {@code guest-exec}: sends it with {@code arguments} (may be null)
   * and returns its {@code return} value, with the same framing, timeouts and typed failures as the
   * typed calls.
   */
  @Override
  public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("command must not be blank");
    }
    return call(command, arguments, Objects.requireNonNull(timeout, "timeout"));
  }

  /** Closes the connection, also under a call blocked in another thread; never throws. */
  @Override
  public void close() {
    closed = true;
    QgaConnection c = connection;
    if (c != null) {
      c.close();
    }
  }

  private synchronized JsonNode call(String command, ObjectNode arguments, Duration timeout) {
    String id = idPrefix + "-" + (++requests);
    byte[] request = QgaJson.request(command, arguments, id);
    QgaConnection conn = syncedConnection(command);
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode reply;
    try {
      conn.send(request, deadline);
      reply = awaitReply(conn, id, deadline);
    } catch (SocketTimeoutException e) {
      // the reply may still come (or the request went out only in part): the resync's 0xFF
      // resets the agent's parser and the handshake discards the late reply
      synced = false;
      throw new AgentNotRespondingException(
          AgentNotRespondingException.Phase.COMMAND, command, timeout);
    } catch (IOException e) {
      throw lost(command, e);
    } catch (AgentProtocolException e) {
      drop();
      throw e;
    }
    return unwrap(command, reply);
  }

  private JsonNode awaitReply(QgaConnection conn, String id, long deadline) throws IOException {
    while (true) {
      byte[] line = conn.readLine(deadline);
      JsonNode reply = QgaJson.parseObject(line, 0);
      JsonNode replyId = reply.get("id");
      // agents echo the request's id; a reply without one is taken as ours (the stream is in sync)
      if (replyId == null || id.equals(replyId.asText())) {
        return reply;
      }
      LOG.debug("discarding a reply to another request: {}", QgaJson.excerpt(line));
    }
  }

  private JsonNode unwrap(String command, JsonNode reply) {
    if (reply.has("return")) {
      return reply.get("return");
    }
    JsonNode error = reply.get("error");
    if (error != null && error.isObject()) {
      throw QgaErrors.toException(
          command, error.path("class").asText(""), error.path("desc").asText(""));
    }
    throw new AgentProtocolException(
        "reply to " + command + " has neither return nor error: " + QgaJson.excerpt(reply));
  }

  private QgaConnection syncedConnection(String command) {
    if (closed) {
      throw new AgentUnavailableException("client for " + socketPath + " is closed", null);
    }
    if (connection == null) {
      connection = connect(command);
      synced = false;
      if (closed) { // close() ran while we connected: it could not see this connection
        drop();
        throw new AgentUnavailableException("client for " + socketPath + " is closed", null);
      }
    }
    if (!synced) {
      sync(connection, command);
    }
    return connection;
  }

  private QgaConnection connect(String command) {
    try {
      return QgaConnection.open(socketPath, settings.connectTimeout(), settings.maxReplyBytes());
    } catch (SocketTimeoutException e) {
      throw new AgentNotRespondingException(
          AgentNotRespondingException.Phase.CONNECT, command, settings.connectTimeout());
    } catch (IOException e) {
      throw new AgentUnavailableException(
          "cannot connect to the agent socket " + socketPath + ": " + e.getMessage(), e);
    }
  }

  private void sync(QgaConnection conn, String command) {
    long id = ThreadLocalRandom.current().nextLong(1, 1L << 53);
    long deadline = System.nanoTime() + settings.syncTimeout().toNanos();
    try {
      conn.send(QgaJson.syncRequest(id), deadline);
      while (!isSyncReply(conn.readLine(deadline), id)) {
        // discarded: the agent's parse error for our 0xFF, or late replies to earlier requests
      }
      synced = true;
    } catch (SocketTimeoutException e) {
      // nobody answers on this connection (agent down or busy, or another client holds the
      // socket): start over on a fresh connection next time
      drop();
      throw new AgentNotRespondingException(
          AgentNotRespondingException.Phase.SYNC, command, settings.syncTimeout());
    } catch (IOException e) {
      throw lost(command, e);
    } catch (AgentProtocolException e) {
      drop();
      throw e;
    }
  }

  private static boolean isSyncReply(byte[] line, long id) {
    int delimiter = lastIndexOf(line, QgaJson.DELIMITER);
    JsonNode reply = QgaJson.tryParseObject(line, delimiter + 1);
    JsonNode ret = reply == null ? null : reply.get("return");
    boolean ours = ret != null && ret.isIntegralNumber() && ret.longValue() == id;
    if (ours && delimiter < 0) {
      throw new AgentProtocolException(
          "sync reply without the 0xFF delimiter: " + QgaJson.excerpt(line));
    }
    if (!ours) {
      LOG.debug("discarding before sync: {}", QgaJson.excerpt(line));
    }
    return ours;
  }

  private static int lastIndexOf(byte[] line, byte b) {
    for (int i = line.length - 1; i >= 0; i--) {
      if (line[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Best effort: is the guest frozen? Only used to explain a refused freeze. */
  private boolean frozenAlready() {
    try {
      return freezeStatus() == FreezeState.FROZEN;
    } catch (AgentException e) {
      return false;
    }
  }

  private AgentUnavailableException lost(String command, IOException e) {
    drop();
    String why = closed ? "client closed" : e.getMessage();
    return new AgentUnavailableException(
        "connection to the agent lost during " + command + ": " + why, e);
  }

  private void drop() {
    QgaConnection c = connection;
    connection = null;
    synced = false;
    if (c != null) {
      c.close();
    }
  }
}
