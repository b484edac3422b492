package io.quiesce.operator;

import io.quiesce.api.GoDurations;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.snapshot.SnapshotSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, from the environment the chart's Deployment sets ({@code QUIESCE_*},
 * {@code POD_NAMESPACE}, {@code POD_NAME}).
 *
 * @param watchNamespaces namespaces served; empty means all
 * @param leaderElection whether to elect a leader through the Lease {@code quiesce-operator}
 * @param podNamespace the operator's namespace (Lease, helper heartbeats)
 * @param podName identity for leader election and Events
 * @param maxConcurrent cluster freeze cap
 * @param maxPerNode per-node freeze cap
 * @param defaultChannel the cluster default channel ({@code QUIESCE_DEFAULT_CHANNEL}: auto, qga,
 *     libvirt or kubevirt-api); null when unset (auto)
 * @param healthAddress where /healthz, /readyz and /metrics listen
 * @param freezeTimeoutMax the longest freeze window ({@code QUIESCE_FREEZE_TIMEOUT_MAX}, the
 *     chart's {@code freeze.timeoutMaxSeconds}, as the node helper gets it): caps the {@code
 *     kubevirt-api} window and KubeVirt's {@code unfreezeTimeout}
 * @param shard this operator's shard name ({@code QUIESCE_SHARD}), or null when it is the only
 *     operator: a shard elects its own leader ({@code quiesce-operator-<shard>}) and has its own
 *     freeze slot Leases ({@code quiesce-slot-<shard>-<i>}); see docs/sharding.md
 * @param labelSelector only QuiescedSnapshots and schedules with these labels are served ({@code
 *     QUIESCE_LABEL_SELECTOR}); null means all (in {@code watchNamespaces})
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    boolean leaderElection,
    String podNamespace,
    String podName,
    int maxConcurrent,
    int maxPerNode,
    QuiesceChannel defaultChannel,
    InetSocketAddress healthAddress,
    Duration freezeTimeoutMax,
    String shard,
    String labelSelector) {

  /**
   * A shard name: a DNS label short enough for {@code quiesce-operator-<shard>} and the slot Lease
   * names.
   */
  private static final java.util.regex.Pattern SHARD =
      java.util.regex.Pattern.compile("[a-z]([-a-z0-9]{0,20}[a-z0-9])?");

  /** Settings of an operator that is not a shard. */
  public OperatorSettings(
      Set<String> watchNamespaces,
      boolean leaderElection,
      String podNamespace,
      String podName,
      int maxConcurrent,
      int maxPerNode,
      QuiesceChannel defaultChannel,
      InetSocketAddress healthAddress,
      Duration freezeTimeoutMax) {
    this(
        watchNamespaces,
        leaderElection,
        podNamespace,
        podName,
        maxConcurrent,
        maxPerNode,
        defaultChannel,
        healthAddress,
        freezeTimeoutMax,
        null,
        null);
  }

  /** Settings with the default freeze maximum (30 s, the chart's default). */
  public OperatorSettings(
      Set<String> watchNamespaces,
      boolean leaderElection,
      String podNamespace,
      String podName,
      int maxConcurrent,
      int maxPerNode,
      QuiesceChannel defaultChannel,
      InetSocketAddress healthAddress) {
    this(
        watchNamespaces,
        leaderElection,
        podNamespace,
        podName,
        maxConcurrent,
        maxPerNode,
        defaultChannel,
        healthAddress,
        SnapshotSettings.DEFAULT_FREEZE_TIMEOUT_MAX);
  }

  /** Name of the leader-election Lease. */
  public static final String LEASE_NAME = "quiesce-operator";

  /**
   * The leader-election Lease of this operator: one per shard, so that each shard has its own
   * leader.
   */
  public String leaseName() {
    return shard == null ? LEASE_NAME : LEASE_NAME + "-" + shard;
  }

  /** Reads the settings; throws IllegalArgumentException naming the variable that is wrong. */
  public static OperatorSettings fromEnv(Map<String, String> env) {
    Set<String> namespaces =
        Arrays.stream(env.getOrDefault("QUIESCE_WATCH_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    boolean election = bool(env, "QUIESCE_LEADER_ELECTION", false);
    String podNamespace = env.getOrDefault("POD_NAMESPACE", "").trim();
    if (podNamespace.isEmpty()) {
      throw new IllegalArgumentException(
          "POD_NAMESPACE must be set (the operator's own namespace)");
    }
    String podName = env.getOrDefault("POD_NAME", "quiesce-operator").trim();
    int maxConcurrent = positive(env, "QUIESCE_MAX_CONCURRENT_FREEZES", 10);
    int maxPerNode = positive(env, "QUIESCE_MAX_FREEZES_PER_NODE", 2);
    QuiesceChannel channel = null;
    try {
      String configured = env.get("QUIESCE_DEFAULT_CHANNEL");
      if (configured != null && !configured.isBlank()) {
        channel = QuiesceChannel.parse(configured);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("QUIESCE_DEFAULT_CHANNEL: " + e.getMessage(), e);
    }
    String shard = blankToNull(env.get("QUIESCE_SHARD"));
    if (shard != null && !SHARD.matcher(shard).matches()) {
      throw new IllegalArgumentException(
          "QUIESCE_SHARD must be a lowercase DNS label of at most 22 characters"
              + " starting with a letter, got "
              + shard);
    }
    return new OperatorSettings(
        namespaces,
        election,
        podNamespace,
        podName,
        maxConcurrent,
        maxPerNode,
        channel,
        address(env.getOrDefault("QUIESCE_HEALTH_ADDRESS", "0.0.0.0:8080")),
        freezeTimeoutMax(env),
        shard,
        blankToNull(env.get("QUIESCE_LABEL_SELECTOR")));
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * {@code QUIESCE_FREEZE_TIMEOUT_MAX}: a Go duration such as {@code 30s}, as the node helper reads
   * it.
   */
  private static Duration freezeTimeoutMax(Map<String, String> env) {
    String v = env.get("QUIESCE_FREEZE_TIMEOUT_MAX");
    if (v == null || v.isBlank()) {
      return SnapshotSettings.DEFAULT_FREEZE_TIMEOUT_MAX;
    }
    try {
      return GoDurations.parsePositive(v.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "QUIESCE_FREEZE_TIMEOUT_MAX must be a positive duration such as 30s, got " + v, e);
    }
  }

  private static boolean bool(Map<String, String> env, String name, boolean fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    return switch (v.trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, got " + v);
    };
  }

  private static int positive(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a positive integer, got " + v, e);
    }
  }

  static InetSocketAddress address(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("QUIESCE_HEALTH_ADDRESS must be host:port, got " + text);
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(text.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("QUIESCE_HEALTH_ADDRESS has no valid port: " + text, e);
    }
  }
}
