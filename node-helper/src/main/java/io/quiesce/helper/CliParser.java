package io.quiesce.helper;

import io.quiesce.freeze.FreezeOptions;
import io.quiesce.libvirt.LibvirtAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the command line by hand: {@code agent <command> --socket PATH [...]} or {@code recover
 * --socket PATH...}, with {@code --libvirt-socket PATH --domain NAME} instead of {@code --socket}.
 */
final class CliParser {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** {@code sun_path} holds 108 bytes including the terminating NUL. */
  private static final int MAX_SOCKET_PATH_BYTES = 107;

  private static final int MAX_DAEMON_SOCKET_PATH = 4096;

  /** The name of a libvirt connection without transport or host, as the daemon gets it. */
  private static final Pattern LIBVIRT_URI = Pattern.compile("[a-z][a-z0-9]*:///[a-z]+");

  private final String[] args;
  private int next;

  private CliParser(String[] args) {
    this.args = args;
  }

  /**
   * @throws UsageException with a one-line reason
   */
  static CliArguments parse(String... args) {
    return new CliParser(args).parse();
  }

  private CliArguments parse() {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        return CliArguments.help();
      }
    }
    if (args.length == 0) {
      throw new UsageException(
          "no command given: use 'agent <" + AgentCommand.names() + ">' or 'recover'");
    }
    String mode = args[next++];
    return switch (mode) {
      case "agent" -> parseAgent();
      case "recover" -> parseOptions(CliArguments.Mode.RECOVER, null);
      default ->
          throw new UsageException("unknown command '" + mode + "': use 'agent' or 'recover'");
    };
  }

  private CliArguments parseAgent() {
    if (next >= args.length || args[next].startsWith("-")) {
      throw new UsageException("'agent' needs a command: " + AgentCommand.names());
    }
    return parseOptions(CliArguments.Mode.AGENT, AgentCommand.fromCli(args[next++]));
  }

  private CliArguments parseOptions(CliArguments.Mode mode, AgentCommand command) {
    List<Path> sockets = new ArrayList<>();
    List<String> domains = new ArrayList<>();
    List<String> mountpoints = new ArrayList<>();
    Path libvirtSocket = null;
    String libvirtUri = null;
    Duration timeout = null;
    boolean json = false;
    while (next < args.length) {
      String arg = args[next++];
      int equals = arg.indexOf('=');
      String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
      String inline = arg.startsWith("--") && equals > 0 ? arg.substring(equals + 1) : null;
      switch (name) {
        case "--socket" -> sockets.add(socketPath(inline != null ? inline : value(name)));
        case "--libvirt-socket" -> {
          if (libvirtSocket != null) {
            throw new UsageException("--libvirt-socket given twice");
          }
          libvirtSocket = daemonSocketPath(inline != null ? inline : value(name));
        }
        case "--domain" -> domains.add(domainName(inline != null ? inline : value(name)));
        case "--libvirt-uri" -> {
          if (libvirtUri != null) {
            throw new UsageException("--libvirt-uri given twice");
          }
          libvirtUri = libvirtUri(inline != null ? inline : value(name));
        }
        case "--mountpoint" -> mountpoints.add(inline != null ? inline : value(name));
        case "--timeout" -> {
          if (timeout != null) {
            throw new UsageException("--timeout given twice");
          }
          timeout = DurationArgument.parse(inline != null ? inline : value(name));
        }
        case "--json" -> {
          if (inline != null) {
            throw new UsageException("--json takes no value");
          }
          json = true;
        }
        default ->
            throw new UsageException(
                name.startsWith("-")
                    ? "unknown option '" + name + "'"
                    : "unexpected argument '" + name + "'");
      }
    }
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    List<AgentTarget> targets = targets(mode, command, sockets, libvirtSocket, domains, libvirtUri);
    check(command, mountpoints, timeout);
    return new CliArguments(mode, command, targets, timeout, json, List.copyOf(mountpoints));
  }

  private static List<AgentTarget> targets(
      CliArguments.Mode mode,
      AgentCommand command,
      List<Path> sockets,
      Path libvirtSocket,
      List<String> domains,
      String libvirtUri) {
    String either = "--socket PATH or --libvirt-socket PATH --domain NAME";
    if (!sockets.isEmpty() && libvirtSocket != null) {
      throw new UsageException(
          "--socket and --libvirt-socket are mutually exclusive: use " + either);
    }
    if (libvirtSocket == null && !domains.isEmpty()) {
      throw new UsageException("--domain is for --libvirt-socket");
    }
    if (libvirtSocket == null && libvirtUri != null) {
      throw new UsageException("--libvirt-uri is for --libvirt-socket");
    }
    if (libvirtSocket != null && domains.isEmpty()) {
      throw new UsageException(
          "--libvirt-socket needs --domain NAME (KubeVirt: <namespace>_<vmi>)");
    }
    if (mode == CliArguments.Mode.AGENT && sockets.size() + domains.size() != 1) {
      throw new UsageException(
          "'agent "
              + command.cliName()
              + "' needs exactly one --socket PATH"
              + (libvirtSocket != null
                  ? ": one --domain with --libvirt-socket"
                  : " or --libvirt-socket PATH --domain NAME"));
    }
    if (mode == CliArguments.Mode.RECOVER && sockets.isEmpty() && libvirtSocket == null) {
      throw new UsageException(
          "'recover' needs at least one --socket PATH, or --libvirt-socket PATH --domain NAME");
    }
    List<AgentTarget> targets = new ArrayList<>();
    sockets.forEach(s -> targets.add(AgentTarget.qga(s)));
    String uri = libvirtUri == null ? LibvirtAgent.DEFAULT_CONNECT_URI : libvirtUri;
    domains.forEach(d -> targets.add(AgentTarget.libvirt(libvirtSocket, d, uri)));
    return List.copyOf(targets);
  }

  private static void check(AgentCommand command, List<String> mountpoints, Duration timeout) {
    if (!mountpoints.isEmpty() && command != AgentCommand.FREEZE) {
      throw new UsageException("--mountpoint is for 'agent freeze' only");
    }
    try {
      new FreezeOptions(mountpoints, timeout);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private String value(String option) {
    if (next >= args.length || args[next].startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return args[next++];
  }

  /**
   * The daemon socket may be longer than a unix address (KubeVirt's is ~120 bytes): the channel
   * links it.
   */
  private static Path daemonSocketPath(String text) {
    if (text.isBlank() || text.indexOf('\0') >= 0 || text.length() > MAX_DAEMON_SOCKET_PATH) {
      throw new UsageException("invalid libvirt socket path '" + text.replace('\0', '?') + "'");
    }
    try {
      return Path.of(text).normalize();
    } catch (InvalidPathException e) {
      throw new UsageException("invalid libvirt socket path '" + text + "': " + e.getReason());
    }
  }

  private static String domainName(String text) {
    if (text.isBlank()
        || text.length() > LibvirtAgent.MAX_DOMAIN_NAME
        || text.chars().anyMatch(Character::isISOControl)) {
      throw new UsageException("invalid domain name '" + text.replaceAll("\\p{Cntrl}", "?") + "'");
    }
    return text;
  }

  private static String libvirtUri(String text) {
    if (!LIBVIRT_URI.matcher(text).matches()) {
      throw new UsageException(
          "invalid --libvirt-uri '"
              + text.replaceAll("\\p{Cntrl}", "?")
              + "': expected e.g. qemu:///session or qemu:///system");
    }
    return text;
  }

  private static Path socketPath(String text) {
    if (text.isBlank() || text.indexOf('\0') >= 0) {
      throw new UsageException("invalid socket path '" + text.replace('\0', '?') + "'");
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
      throw new UsageException(
          "socket path longer than " + MAX_SOCKET_PATH_BYTES + " bytes: " + text);
    }
    try {
      return Path.of(text).normalize();
    } catch (InvalidPathException e) {
      throw new UsageException("invalid socket path '" + text + "': " + e.getReason());
    }
  }
}
