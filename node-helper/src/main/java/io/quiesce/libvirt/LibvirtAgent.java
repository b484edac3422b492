package io.quiesce.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiesce.agent.AgentCommandUnavailableException;
import io.quiesce.agent.AgentException;
import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.AgentProtocolException;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.AlreadyFrozenException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestFilesystem;
import io.quiesce.agent.GuestInfo;
import io.quiesce.agent.GuestOsInfo;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaErrors;
import io.quiesce.agent.QgaJson;
import io.quiesce.agent.QgaReplies;
import io.quiesce.agent.QgaSettings;
import io.quiesce.status.BoundedText;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * {@link GuestAgent} through a libvirt daemon, for guests whose agent socket the daemon holds (a
 * KubeVirt virt-launcher pod's virtqemud). Same guarantees as {@link QgaClient}: a timeout on every
 * call, bounded reads, typed failures.
 *
 * <p>Connects lazily: on first use, and again after a failure, it connects to the daemon socket (a
 * refused connect is {@link LibvirtPermissionDeniedException}), lists the auth types (a privileged
 * client passes polkit there), opens the connection and looks the domain up, all within {@link
 * QgaSettings#syncTimeout()}. Freeze and thaw are libvirt's own {@code virDomainFSFreeze}/{@code
 * virDomainFSThaw} (libvirt runs the agent's freeze and thaw, and refuses mountpoints on a thaw: a
 * thaw thaws everything). Status, ping, info and fsinfo are the agent's commands relayed by {@code
 * virDomainQemuAgentCommand}, as KubeVirt reads the freeze status; libvirt marks a domain that
 * received such a command {@code tainted: custom-ga-command}.
 *
 * <p>Calls are serialised; {@link #close()} may be called from any thread and makes a blocked call
 * fail at once.
 */
public final class LibvirtAgent implements GuestAgent {

  /** Longest domain name accepted: KubeVirt's {@code <namespace>_<vmi>} is at most 63 + 1 + 253. */
  public static final int MAX_DOMAIN_NAME = 512;

  private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(500);
  private static final String HANDSHAKE = "libvirt connect";

  private final Path daemonSocket;
  private final String domain;
  private final UUID expectedUuid;
  private final QgaSettings settings;
  private final String connectUri;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile LibvirtConnection connection;
  private volatile boolean closed;
  private DomainRef domainRef;

  /**
   * The connection a KubeVirt virt-launcher opens on its own virtqemud (non-root launchers,
   * KubeVirt's default); a root launcher's daemon serves {@code qemu:///system}. A null name is not
   * enough: libvirt 9 then answers every later call with "connection not open".
   */
  public static final String DEFAULT_CONNECT_URI = "qemu:///session";

  /**
   * A channel to {@code domain}'s agent through the daemon on {@code daemonSocket}, on {@link
   * #DEFAULT_CONNECT_URI}.
   */
  public LibvirtAgent(Path daemonSocket, String domain, QgaSettings settings) {
    this(daemonSocket, domain, settings, DEFAULT_CONNECT_URI);
  }

  /**
   * A channel to {@code domain}'s agent that, on every connection, requires the daemon's domain of
   * that name to have the domain's UUID (when it names one) before any call on the domain.
   */
  public LibvirtAgent(Path daemonSocket, LibvirtDomain domain, QgaSettings settings) {
    this(daemonSocket, domain.name(), domain.uuid(), settings, DEFAULT_CONNECT_URI);
  }

  /**
   * @param connectUri the name passed to {@code virConnectOpen} on the daemon, without transport or
   *     socket: {@code qemu:///session} or {@code qemu:///system}
   */
  public LibvirtAgent(Path daemonSocket, String domain, QgaSettings settings, String connectUri) {
    this(daemonSocket, domain, null, settings, connectUri);
  }

  private LibvirtAgent(
      Path daemonSocket,
      String domain,
      UUID expectedUuid,
      QgaSettings settings,
      String connectUri) {
    this.daemonSocket = Objects.requireNonNull(daemonSocket, "daemonSocket");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.expectedUuid = expectedUuid;
    this.settings = Objects.requireNonNull(settings, "settings");
    if (domain.isBlank()
        || domain.length() > MAX_DOMAIN_NAME
        || domain.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("invalid libvirt domain name '" + domain + "'");
    }
    this.connectUri = Objects.requireNonNull(connectUri, "connectUri");
  }

  /**
   * A channel to {@code domain}'s agent through the libvirt daemon listening on {@code
   * daemonSocket} (any path length: paths over the 107-byte unix limit are reached through a short
   * private symlink). Connects on first use; the timeouts of {@code settings} bound every call.
   */
  public static GuestAgent open(Path daemonSocket, String domain, QgaSettings settings) {
    return new LibvirtAgent(daemonSocket, domain, settings);
  }

  /**
   * As {@link #open(Path, String, QgaSettings)}, checking the domain's identity on every
   * connection.
   */
  public static GuestAgent open(Path daemonSocket, LibvirtDomain domain, QgaSettings settings) {
    return new LibvirtAgent(daemonSocket, domain, settings);
  }

  /** The libvirt domain name KubeVirt gives a VirtualMachineInstance: {@code <namespace>_<vmi>}. */
  public static String kubevirtDomainName(String namespace, String vmiName) {
    if (namespace == null || namespace.isBlank() || vmiName == null || vmiName.isBlank()) {
      throw new IllegalArgumentException("namespace and VMI name must not be blank");
    }
    return namespace + "_" + vmiName;
  }

  public Path daemonSocket() {
    return daemonSocket;
  }

  public String domain() {
    return domain;
  }

  @Override
  public void ping() {
    agentCommand(QgaClient.PING, null, settings.commandTimeout());
  }

  @Override
  public GuestInfo info() {
    return QgaReplies.guestInfo(
        QgaClient.INFO, agentCommand(QgaClient.INFO, null, settings.commandTimeout()));
  }

  /**
   * {@inheritDoc} Relayed with {@code virDomainQemuAgentCommand}, as virt-launcher's own agent
   * poller does.
   */
  @Override
  public GuestOsInfo osInfo() {
    return QgaReplies.osInfo(
        QgaClient.OSINFO, agentCommand(QgaClient.OSINFO, null, settings.commandTimeout()));
  }

  @Override
  public FreezeState freezeStatus() {
    return QgaReplies.freezeState(
        QgaClient.STATUS, agentCommand(QgaClient.STATUS, null, settings.commandTimeout()));
  }

  /**
   * {@inheritDoc} Through {@code virDomainFSFreeze}.
   *
   * @throws AlreadyFrozenException when the guest is frozen already (checked with a status call)
   */
  @Override
  public int freeze(List<String> mountpoints) {
    List<String> points = mountpoints == null ? List.of() : List.copyOf(mountpoints);
    String command = points.isEmpty() ? QgaClient.FREEZE : QgaClient.FREEZE_LIST;
    try {
      return count(
          command,
          call(
              command,
              RemoteProtocol.REMOTE_PROGRAM,
              RemoteProtocol.PROC_DOMAIN_FSFREEZE,
              args ->
                  args.writeStringArray(
                          points,
                          RemoteProtocol.FSFREEZE_MOUNTPOINTS_MAX,
                          RemoteProtocol.STRING_MAX)
                      .writeInt(0),
              settings.freezeTimeout()));
    } catch (AgentCommandUnavailableException e) {
      if (frozenAlready()) {
        throw new AlreadyFrozenException(command, e.reason(), e.getMessage());
      }
      throw e;
    }
  }

  /** {@inheritDoc} Through {@code virDomainFSThaw}, which always thaws every frozen filesystem. */
  @Override
  public int thaw() {
    return count(
        QgaClient.THAW,
        call(
            QgaClient.THAW,
            RemoteProtocol.REMOTE_PROGRAM,
            RemoteProtocol.PROC_DOMAIN_FSTHAW,
            args -> args.writeStringArray(List.of(), 0, 0).writeInt(0),
            settings.thawTimeout()));
  }

  @Override
  public List<GuestFilesystem> filesystems() {
    return QgaReplies.filesystems(
        QgaClient.FSINFO, agentCommand(QgaClient.FSINFO, null, settings.commandTimeout()));
  }

  /**
   * Any agent command relayed by {@code virDomainQemuAgentCommand} (taints the domain), e.g. {@code
   * guest-exec}; returns its {@code return} value.
   */
  @Override
  public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("command must not be blank");
    }
    return agentCommand(command, arguments, Objects.requireNonNull(timeout, "timeout"));
  }

  /**
   * Closes the connection (telling the daemon when no call is running), also under a call blocked
   * in another thread; never throws.
   */
  @Override
  public void close() {
    closed = true;
    if (!lock.tryLock()) {
      LibvirtConnection c = connection; // a call is blocked: abort it
      if (c != null) {
        c.close();
      }
      return;
    }
    try {
      LibvirtConnection c = connection;
      if (c != null && domainRef != null) {
        try {
          c.call(
              RemoteProtocol.REMOTE_PROGRAM,
              RemoteProtocol.PROC_CONNECT_CLOSE,
              new byte[0],
              System.nanoTime() + CLOSE_TIMEOUT.toNanos());
        } catch (IOException | RuntimeException ignored) {
          // the daemon cleans up a vanished client by itself
        }
      }
      drop();
    } finally {
      lock.unlock();
    }
  }

  private JsonNode agentCommand(String command, ObjectNode arguments, Duration timeout) {
    String json =
        new String(QgaJson.request(command, arguments, null), StandardCharsets.UTF_8).strip();
    // libvirt's own wait for the agent, in whole seconds: at most ours, so its answer comes first
    int libvirtSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
    XdrReader reply =
        call(
            command,
            RemoteProtocol.QEMU_PROGRAM,
            RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
            args ->
                args.writeString(json, RemoteProtocol.STRING_MAX)
                    .writeInt(libvirtSeconds)
                    .writeInt(0),
            timeout);
    String result = reply.readOptionalString(settings.maxReplyBytes());
    reply.requireEnd(command + " reply");
    if (result == null) {
      throw new AgentProtocolException("libvirt returned no result for " + command);
    }
    JsonNode node = QgaJson.parseObject(result.getBytes(StandardCharsets.UTF_8), 0);
    if (node.has("return")) {
      return node.get("return");
    }
    JsonNode error = node.get("error");
    if (error != null && error.isObject()) {
      throw QgaErrors.toException(
          command, error.path("class").asText(""), error.path("desc").asText(""));
    }
    throw new AgentProtocolException(
        "reply to " + command + " has neither return nor error: " + QgaJson.excerpt(node));
  }

  private static int count(String command, XdrReader reply) {
    int n = reply.readInt();
    reply.requireEnd(command + " reply");
    if (n < 0) {
      throw new AgentProtocolException(command + " returned a negative count " + n);
    }
    return n;
  }

  /**
   * One call on the domain: {@code args} writes what follows the domain in the call's arguments.
   */
  private XdrReader call(
      String command, int program, int procedure, Consumer<XdrWriter> args, Duration timeout) {
    lock.lock();
    try {
      LibvirtConnection conn = session(command);
      XdrWriter body = new XdrWriter();
      domainRef.encode(body);
      args.accept(body);
      try {
        return conn.call(
            program, procedure, body.toByteArray(), System.nanoTime() + timeout.toNanos());
      } catch (LibvirtCallException e) {
        throw LibvirtErrors.toException(command, e.error(), timeout);
      } catch (SocketTimeoutException e) {
        // the late reply would be skipped by serial, but a fresh connection is cheap and certain
        drop();
        throw new AgentNotRespondingException(
            AgentNotRespondingException.Phase.COMMAND, command, timeout);
      } catch (IOException e) {
        throw lost(command, e);
      } catch (AgentProtocolException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The open connection with the domain looked up, opening one when needed. */
  private LibvirtConnection session(String command) {
    if (closed) {
      throw new AgentUnavailableException("libvirt channel to " + domain + " is closed", null);
    }
    if (connection != null) {
      return connection;
    }
    LibvirtConnection conn;
    try {
      conn = LibvirtConnection.open(daemonSocket, settings.connectTimeout());
    } catch (SocketTimeoutException e) {
      throw new AgentNotRespondingException(
          AgentNotRespondingException.Phase.CONNECT, command, settings.connectTimeout());
    } catch (IOException e) {
      if (SocketAccess.deniedPermission(e)) {
        throw new LibvirtPermissionDeniedException(
            daemonSocket, SocketAccess.describe(daemonSocket), e);
      }
      throw new AgentUnavailableException(
          "cannot connect to the libvirt daemon socket " + daemonSocket + ": " + e.getMessage(), e);
    }
    connection = conn;
    if (closed) { // close() ran while we connected: it could not see this connection
      drop();
      throw new AgentUnavailableException("libvirt channel to " + domain + " is closed", null);
    }
    try {
      domainRef = handshake(conn, System.nanoTime() + settings.syncTimeout().toNanos());
      return conn;
    } catch (SocketTimeoutException e) {
      drop();
      throw new AgentNotRespondingException(
          AgentNotRespondingException.Phase.SYNC,
          HANDSHAKE + " for " + command,
          settings.syncTimeout());
    } catch (IOException e) {
      throw lost(HANDSHAKE + " for " + command, e);
    } catch (LibvirtCallException e) {
      drop();
      throw LibvirtErrors.toException(command, e.error(), settings.syncTimeout());
    } catch (AgentException e) {
      drop();
      throw e;
    }
  }

  private DomainRef handshake(LibvirtConnection conn, long deadline) throws IOException {
    XdrReader auth =
        conn.call(
            RemoteProtocol.REMOTE_PROGRAM, RemoteProtocol.PROC_AUTH_LIST, new byte[0], deadline);
    List<Integer> types = auth.readIntArray(RemoteProtocol.AUTH_TYPE_LIST_MAX);
    if (!types.isEmpty() && !types.contains(RemoteProtocol.AUTH_NONE)) {
      if (!types.contains(RemoteProtocol.AUTH_POLKIT)) {
        throw new AgentUnavailableException(
            "libvirt daemon "
                + daemonSocket
                + " asks for auth types "
                + types
                + "; only none and polkit are supported",
            null);
      }
      conn.call(
          RemoteProtocol.REMOTE_PROGRAM, RemoteProtocol.PROC_AUTH_POLKIT, new byte[0], deadline);
    }
    byte[] open =
        new XdrWriter()
            .writeOptionalString(connectUri, RemoteProtocol.STRING_MAX)
            .writeInt(0)
            .toByteArray();
    conn.call(RemoteProtocol.REMOTE_PROGRAM, RemoteProtocol.PROC_CONNECT_OPEN, open, deadline)
        .requireEnd("open reply");
    byte[] lookup = new XdrWriter().writeString(domain, RemoteProtocol.STRING_MAX).toByteArray();
    XdrReader found =
        conn.call(
            RemoteProtocol.REMOTE_PROGRAM,
            RemoteProtocol.PROC_DOMAIN_LOOKUP_BY_NAME,
            lookup,
            deadline);
    DomainRef ref = DomainRef.decode(found);
    found.requireEnd("lookup reply");
    requireOwnDomain(ref);
    return ref;
  }

  /**
   * The socket's check and the connect are two steps, and whoever may write the socket's directory
   * could swap a link in between; this check after the connect makes the swap harmless: a daemon
   * that has no domain of this name failed the lookup already, one whose domain of this name has
   * another UUID is refused here, and nothing has been sent on a domain yet.
   */
  private void requireOwnDomain(DomainRef ref) {
    if (!domain.equals(ref.name())) {
      throw new SocketIdentityMismatchException(
          daemonSocket,
          "asked for domain "
              + domain
              + ", it answered with "
              + BoundedText.bound(ref.name(), 256));
    }
    if (expectedUuid == null) {
      return;
    }
    UUID actual = uuidOf(ref.uuid());
    if (!expectedUuid.equals(actual)) {
      throw new SocketIdentityMismatchException(
          daemonSocket,
          "its domain "
              + domain
              + " has UUID "
              + actual
              + ", the guest's firmware UUID is "
              + expectedUuid);
    }
  }

  private static UUID uuidOf(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new UUID(b.getLong(), b.getLong());
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
    String why = closed ? "channel closed" : e.getMessage();
    return new AgentUnavailableException(
        "connection to the libvirt daemon lost during " + command + ": " + why, e);
  }

  private void drop() {
    LibvirtConnection c = connection;
    connection = null;
    domainRef = null;
    if (c != null) {
      c.close();
    }
  }
}
