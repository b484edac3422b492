package io.quiesce.locate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a VM's socket on this node (its guest agent socket, or the libvirt daemon socket of its
 * virt-launcher pod) from configured path templates, and refuses any path that would leave the
 * allowed roots. Templates come from the chart values, e.g. {@code
 * /var/run/kubevirt-private/{podUID}/virt-serial0-qga.sock} or {@code
 * /var/lib/quiesce/sockets/{namespace}/{name}.sock}; the placeholders are {@code {namespace}},
 * {@code {name}} and {@code {podUID}}. Values are checked against what Kubernetes allows for them
 * (DNS labels and subdomains, UUIDs) before they are put into a path, the result is normalized, and
 * both the path and, when it exists, its real target (symlinks resolved) must stay under a root.
 *
 * <p>Each socket is also tied to the guest's own directory: the template's prefix through the
 * {@code {podUID}} segment (the guest's own virt-launcher pod), or the socket's directory for
 * templates without a pod. The real target must stay inside that directory, and the directory
 * itself must not be a link elsewhere, so a launcher cannot point the helper at another guest's
 * socket. {@link #locate} returns the real path (no link left in it); the helper connects to it
 * through {@link #pin}, which opens it again without following any link.
 */
public final class AgentSocketLocator {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Longest path a unix socket address can carry on Linux (sun_path is 108 bytes with the NUL). */
  static final int MAX_SOCKET_PATH = 107;

  /**
   * Longest path accepted for sockets whose client connects through a short link (the libvirt
   * client does; kubelet's pod paths to virtqemud's socket are longer than 107 bytes): Linux's
   * PATH_MAX.
   */
  public static final int MAX_LINKED_SOCKET_PATH = 4095;

  private final List<String> templates;
  private final List<Path> roots;
  private final int maxPathBytes;

  /**
   * A locator of guest agent sockets, which are connected to directly: paths longer than a unix
   * socket address (107 bytes) are refused.
   *
   * @see #AgentSocketLocator(List, List, int)
   */
  public AgentSocketLocator(List<String> templates, List<Path> roots) {
    this(templates, roots, MAX_SOCKET_PATH);
  }

  /**
   * @param templates path templates, tried in order
   * @param roots allowed roots; absolute
   * @param maxPathBytes longest socket path accepted, in UTF-8 bytes ({@link #MAX_SOCKET_PATH} for
   *     sockets connected to directly, {@link #MAX_LINKED_SOCKET_PATH} for those reached through a
   *     short link)
   * @throws IllegalArgumentException for a relative root, a template outside every root or an
   *     unknown placeholder (a configuration error, found at start-up)
   */
  public AgentSocketLocator(List<String> templates, List<Path> roots, int maxPathBytes) {
    if (maxPathBytes < 1 || maxPathBytes > MAX_LINKED_SOCKET_PATH) {
      throw new IllegalArgumentException("maxPathBytes must be 1 to " + MAX_LINKED_SOCKET_PATH);
    }
    this.maxPathBytes = maxPathBytes;
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one allowed root is needed");
    }
    List<Path> normalized = new ArrayList<>();
    for (Path root : roots) {
      if (!root.isAbsolute()) {
        throw new IllegalArgumentException("allowed root must be absolute: " + root);
      }
      if (root.normalize().getNameCount() == 0) {
        throw new IllegalArgumentException("the file system root cannot be an allowed root");
      }
      normalized.add(root.normalize());
    }
    this.roots = List.copyOf(normalized);
    for (String template : templates) {
      Matcher m = PLACEHOLDER.matcher(template);
      while (m.find()) {
        if (!List.of("namespace", "name", "podUID").contains(m.group(1))) {
          throw new IllegalArgumentException(
              "unknown placeholder {" + m.group(1) + "} in " + template);
        }
      }
      Path literal = Path.of(PLACEHOLDER.matcher(template).replaceAll("x")).normalize();
      if (!literal.isAbsolute() || !underARoot(literal)) {
        throw new IllegalArgumentException(
            "template " + template + " is not under an allowed root " + this.roots);
      }
    }
    this.templates = List.copyOf(templates);
  }

  /** Who the socket belongs to. {@code podUID} may be null when the VM has no launcher pod. */
  public record Guest(String namespace, String name, String podUID) {}

  /**
   * The candidate socket paths for {@code guest}, in template order; templates that need a value
   * the guest does not have are left out.
   *
   * @throws UnsafePathException when a value is malformed or a path would leave the allowed roots
   */
  public List<Path> candidates(Guest guest) throws UnsafePathException {
    return candidatesIn(guest).stream().map(Candidate::socket).toList();
  }

  /** A candidate socket and the guest's own directory it must stay in. */
  private record Candidate(Path socket, Path guestDir) {}

  private List<Candidate> candidatesIn(Guest guest) throws UnsafePathException {
    check("namespace", guest.namespace(), DNS_LABEL);
    check("name", guest.name(), DNS_SUBDOMAIN);
    if (guest.podUID() != null) {
      check("podUID", guest.podUID(), UUID);
    }
    Map<String, String> values =
        guest.podUID() == null
            ? Map.of("namespace", guest.namespace(), "name", guest.name())
            : Map.of(
                "namespace", guest.namespace(), "name", guest.name(), "podUID", guest.podUID());
    List<Candidate> paths = new ArrayList<>();
    for (String template : templates) {
      Optional<String> filled = fill(template, values);
      if (filled.isEmpty()) {
        continue;
      }
      Path path = Path.of(filled.get()).normalize();
      if (!underARoot(path)) {
        throw new UnsafePathException(
            "socket path "
                + path
                + " for "
                + guest.namespace()
                + "/"
                + guest.name()
                + " leaves the allowed roots "
                + roots);
      }
      if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxPathBytes) {
        throw new UnsafePathException(
            "socket path " + path + " is longer than " + maxPathBytes + " bytes");
      }
      paths.add(new Candidate(path, guestDir(template, values, path)));
    }
    return paths;
  }

  /**
   * The first candidate that exists as a socket whose real location is under an allowed root.
   *
   * @throws UnsafePathException when a candidate resolves (through a symlink) outside the roots
   */
  public Optional<Path> locate(Guest guest) throws UnsafePathException {
    for (Candidate candidate : candidatesIn(guest)) {
      Path path = candidate.socket();
      if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Path real;
      Path realDir;
      Path ownDir;
      try {
        real = path.toRealPath();
        realDir = candidate.guestDir().toRealPath();
        ownDir = realWithoutLinksBelowRoot(candidate.guestDir());
      } catch (IOException e) {
        continue; // dangling symlink: not there
      }
      if (!underARoot(real) && !underARoot(real, realRoots())) {
        throw new UnsafePathException(
            "socket " + path + " resolves to " + real + ", outside the allowed roots " + roots);
      }
      if (!realDir.equals(ownDir)) {
        throw new UnsafePathException(
            "the guest directory "
                + candidate.guestDir()
                + " of "
                + guest.namespace()
                + "/"
                + guest.name()
                + " is a link to "
                + realDir
                + ", not the guest's own directory");
      }
      if (!real.startsWith(realDir) || real.equals(realDir)) {
        throw new UnsafePathException(
            "socket "
                + path
                + " resolves to "
                + real
                + ", outside the guest's own "
                + "directory "
                + candidate.guestDir());
      }
      if (!Files.isDirectory(real) && !Files.isRegularFile(real)) { // sockets are "other" files
        return Optional.of(real);
      }
    }
    return Optional.empty();
  }

  /**
   * Right before a connect to a path {@link #locate} returned: opens it without following any link,
   * from the allowed root it is under (see {@link PinnedSocket}). The helper connects to the pinned
   * address, so what it reaches is the socket inode checked here, at a path with no link in any
   * component below the root: a launcher that swaps a link in after the lookup, or after this
   * check, cannot redirect the connect (docs/security.md).
   *
   * @throws UnsafePathException when the path left the roots, a component is a link or missing, or
   *     the file is no socket
   */
  public PinnedSocket pin(Path real) throws UnsafePathException {
    for (Path root : realRoots()) {
      if (real.startsWith(root) && !real.equals(root)) {
        return PinnedSocket.open(root, root.relativize(real));
      }
    }
    throw new UnsafePathException(
        "socket " + real + " is outside the allowed roots " + roots + "; refusing to connect");
  }

  /**
   * The guest's own directory for a filled template: its prefix through the {@code {podUID}}
   * segment, or the socket's directory when the template names no pod.
   */
  private static Path guestDir(String template, Map<String, String> values, Path socket) {
    int at = template.indexOf("{podUID}");
    if (at < 0 || !values.containsKey("podUID")) {
      return socket.getParent();
    }
    int end = template.indexOf('/', at);
    String prefix = end < 0 ? template : template.substring(0, end);
    return Path.of(fill(prefix, values).orElseThrow()).normalize();
  }

  /**
   * What {@code dir}'s real path is when nothing between its root and itself is a link: the root's
   * real path plus the same relative path.
   */
  private Path realWithoutLinksBelowRoot(Path dir) throws IOException {
    for (Path root : roots) {
      if (dir.startsWith(root)) {
        return root.toRealPath().resolve(root.relativize(dir));
      }
    }
    return dir;
  }

  private List<Path> realRoots() {
    List<Path> real = new ArrayList<>();
    for (Path root : roots) {
      try {
        real.add(root.toRealPath());
      } catch (IOException e) {
        // a root that does not exist holds no socket
      }
    }
    return real;
  }

  private static boolean underARoot(Path path, List<Path> roots) {
    return roots.stream().anyMatch(root -> path.startsWith(root) && !path.equals(root));
  }

  private static void check(String what, String value, Pattern pattern) throws UnsafePathException {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new UnsafePathException(
          "refusing "
              + what
              + " \""
              + value
              + "\" in a socket path: not a valid Kubernetes "
              + what);
    }
  }

  private static Optional<String> fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        return Optional.empty();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return Optional.of(out.toString());
  }

  private boolean underARoot(Path path) {
    return roots.stream().anyMatch(root -> path.startsWith(root) && !path.equals(root));
  }
}
