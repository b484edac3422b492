package io.quiesce.window;

import io.quiesce.api.GoDurations;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The node helper's configuration, from the environment the chart's DaemonSet sets.
 *
 * @param nodeName this node ({@code NODE_NAME}, from {@code spec.nodeName})
 * @param namespace the helper's namespace, where its heartbeat Lease lives ({@code POD_NAMESPACE})
 * @param socketRoots allowed roots of agent sockets ({@code QUIESCE_SOCKET_ROOTS}, comma separated)
 * @param socketTemplates socket path templates ({@code QUIESCE_SOCKET_TEMPLATES}, comma separated)
 * @param maxFreezesPerNode freezes at once on this node ({@code QUIESCE_MAX_FREEZES_PER_NODE})
 * @param freezeTimeoutMax hard maximum of {@code spec.quiesce.timeout} ({@code
 *     QUIESCE_FREEZE_TIMEOUT_MAX})
 * @param healthAddress where /healthz, /readyz and /metrics listen ({@code
 *     QUIESCE_HEALTH_ADDRESS}), or null
 * @param defaultChannel the channel of a snapshot the operator named none for ({@code
 *     QUIESCE_DEFAULT_CHANNEL}, default auto); the operator names it on every snapshot it assigns
 * @param libvirtSocketRoot the only root libvirt daemon sockets may be under ({@code
 *     QUIESCE_LIBVIRT_SOCKET_ROOT}); null when the libvirt channel is not configured
 * @param libvirtSocketTemplate where a virt-launcher pod's libvirt daemon socket is ({@code
 *     QUIESCE_LIBVIRT_SOCKET_TEMPLATE}, default {@code
 *     <root>/{podUID}/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock}); null
 *     exactly when the root is
 * @param journalDir the freeze journal's directory ({@code QUIESCE_JOURNAL_DIR}, default {@value
 *     #DEFAULT_JOURNAL_DIR}; a hostPath, so that it outlives the pod); null only in tests of other
 *     things: no journal is kept
 */
public record HelperSettings(
    String nodeName,
    String namespace,
    List<Path> socketRoots,
    List<String> socketTemplates,
    int maxFreezesPerNode,
    Duration freezeTimeoutMax,
    InetSocketAddress healthAddress,
    QuiesceChannel defaultChannel,
    Path libvirtSocketRoot,
    String libvirtSocketTemplate,
    Path journalDir) {

  /** Where the chart mounts the node's journal directory. */
  public static final String DEFAULT_JOURNAL_DIR = "/var/lib/quiesce/journal";

  /**
   * Where KubeVirt's virt-launcher pod keeps virtqemud's socket, below kubelet's pods directory.
   */
  public static final String LIBVIRT_SOCKET_IN_POD =
      "/{podUID}/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock";

  public HelperSettings {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(namespace, "namespace");
    socketRoots = List.copyOf(socketRoots);
    socketTemplates = List.copyOf(socketTemplates);
    Objects.requireNonNull(freezeTimeoutMax, "freezeTimeoutMax");
    if (maxFreezesPerNode < 1) {
      throw new IllegalArgumentException("QUIESCE_MAX_FREEZES_PER_NODE must be at least 1");
    }
    Objects.requireNonNull(defaultChannel, "defaultChannel");
    if ((libvirtSocketRoot == null) != (libvirtSocketTemplate == null)) {
      throw new IllegalArgumentException("the libvirt socket root and template go together");
    }
  }

  /** The settings of a helper before the journal: everything but it. */
  public HelperSettings(
      String nodeName,
      String namespace,
      List<Path> socketRoots,
      List<String> socketTemplates,
      int maxFreezesPerNode,
      Duration freezeTimeoutMax,
      InetSocketAddress healthAddress,
      QuiesceChannel defaultChannel,
      Path libvirtSocketRoot,
      String libvirtSocketTemplate) {
    this(
        nodeName,
        namespace,
        socketRoots,
        socketTemplates,
        maxFreezesPerNode,
        freezeTimeoutMax,
        healthAddress,
        defaultChannel,
        libvirtSocketRoot,
        libvirtSocketTemplate,
        null);
  }

  /**
   * Settings with the libvirt channel not configured and channel auto (tests of the qga channel).
   */
  public HelperSettings(
      String nodeName,
      String namespace,
      List<Path> socketRoots,
      List<String> socketTemplates,
      int maxFreezesPerNode,
      Duration freezeTimeoutMax,
      InetSocketAddress healthAddress) {
    this(
        nodeName,
        namespace,
        socketRoots,
        socketTemplates,
        maxFreezesPerNode,
        freezeTimeoutMax,
        healthAddress,
        QuiesceChannel.AUTO,
        null,
        null);
  }

  /**
   * The same settings with the libvirt channel configured: sockets under {@code root}, at {@code
   * template}.
   */
  public HelperSettings withLibvirt(Path root, String template) {
    return new HelperSettings(
        nodeName,
        namespace,
        socketRoots,
        socketTemplates,
        maxFreezesPerNode,
        freezeTimeoutMax,
        healthAddress,
        defaultChannel,
        root,
        template,
        journalDir);
  }

  /** The same settings with the freeze journal in {@code dir}. */
  public HelperSettings withJournal(Path dir) {
    return new HelperSettings(
        nodeName,
        namespace,
        socketRoots,
        socketTemplates,
        maxFreezesPerNode,
        freezeTimeoutMax,
        healthAddress,
        defaultChannel,
        libvirtSocketRoot,
        libvirtSocketTemplate,
        dir);
  }

  /**
   * Reads the settings from environment variables.
   *
   * @throws IllegalArgumentException naming the variable that is missing or malformed
   */
  public static HelperSettings fromEnv(Map<String, String> env) {
    String libvirtRoot = optional(env, "QUIESCE_LIBVIRT_SOCKET_ROOT");
    String libvirtTemplate = optional(env, "QUIESCE_LIBVIRT_SOCKET_TEMPLATE");
    if (libvirtRoot == null && libvirtTemplate != null) {
      throw new IllegalArgumentException(
          "QUIESCE_LIBVIRT_SOCKET_TEMPLATE needs QUIESCE_LIBVIRT_SOCKET_ROOT");
    }
    if (libvirtRoot != null && libvirtTemplate == null) {
      libvirtTemplate = Path.of(libvirtRoot).normalize() + LIBVIRT_SOCKET_IN_POD;
    }
    return new HelperSettings(
        required(env, "NODE_NAME"),
        required(env, "POD_NAMESPACE"),
        list(required(env, "QUIESCE_SOCKET_ROOTS")).stream().map(Path::of).toList(),
        list(env.getOrDefault("QUIESCE_SOCKET_TEMPLATES", "")),
        parseInt(env, "QUIESCE_MAX_FREEZES_PER_NODE", "4"),
        parseDuration(env, "QUIESCE_FREEZE_TIMEOUT_MAX", "30s"),
        address(env.get("QUIESCE_HEALTH_ADDRESS")),
        channel(optional(env, "QUIESCE_DEFAULT_CHANNEL")),
        libvirtRoot == null ? null : Path.of(libvirtRoot),
        libvirtTemplate,
        journalDir(optional(env, "QUIESCE_JOURNAL_DIR")));
  }

  private static Path journalDir(String value) {
    Path dir = Path.of(value == null ? DEFAULT_JOURNAL_DIR : value);
    if (!dir.isAbsolute()) {
      throw new IllegalArgumentException(
          "QUIESCE_JOURNAL_DIR must be an absolute path, was " + value);
    }
    return dir.normalize();
  }

  private static String optional(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static QuiesceChannel channel(String value) {
    try {
      return value == null ? QuiesceChannel.AUTO : QuiesceChannel.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("QUIESCE_DEFAULT_CHANNEL: " + e.getMessage(), e);
    }
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("environment variable " + name + " is required");
    }
    return value.trim();
  }

  private static List<String> list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static int parseInt(Map<String, String> env, String name, String fallback) {
    String value = env.getOrDefault(name, fallback);
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, was " + value, e);
    }
  }

  private static Duration parseDuration(Map<String, String> env, String name, String fallback) {
    String value = env.getOrDefault(name, fallback);
    try {
      return GoDurations.parsePositive(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " must be a duration such as 30s, was " + value, e);
    }
  }

  /** {@code host:port}; null or blank means no health server. */
  private static InetSocketAddress address(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("QUIESCE_HEALTH_ADDRESS must be host:port, was " + value);
    }
    try {
      return new InetSocketAddress(
          value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "QUIESCE_HEALTH_ADDRESS must be host:port, was " + value, e);
    }
  }
}
