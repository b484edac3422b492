package io.quiesce.window;

import io.quiesce.api.GoDurations;
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
 * @param nodeName             this node ({@code NODE_NAME}, from {@code spec.nodeName})
 * @param namespace            the helper's namespace, where its heartbeat Lease lives ({@code POD_NAMESPACE})
 * @param socketRoots          allowed roots of agent sockets ({@code QUIESCE_SOCKET_ROOTS}, comma separated)
 * @param socketTemplates      socket path templates ({@code QUIESCE_SOCKET_TEMPLATES}, comma separated)
 * @param maxFreezesPerNode    freezes at once on this node ({@code QUIESCE_MAX_FREEZES_PER_NODE})
 * @param freezeTimeoutMax     hard maximum of {@code spec.quiesce.timeout} ({@code QUIESCE_FREEZE_TIMEOUT_MAX})
 * @param healthAddress        where /healthz, /readyz and /metrics listen ({@code QUIESCE_HEALTH_ADDRESS}), or null
 */
public record HelperSettings(String nodeName, String namespace, List<Path> socketRoots, List<String> socketTemplates,
                             int maxFreezesPerNode, Duration freezeTimeoutMax, InetSocketAddress healthAddress) {

    public HelperSettings {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(namespace, "namespace");
        socketRoots = List.copyOf(socketRoots);
        socketTemplates = List.copyOf(socketTemplates);
        Objects.requireNonNull(freezeTimeoutMax, "freezeTimeoutMax");
        if (maxFreezesPerNode < 1) {
            throw new IllegalArgumentException("QUIESCE_MAX_FREEZES_PER_NODE must be at least 1");
        }
    }

    /**
     * Reads the settings from environment variables.
     *
     * @throws IllegalArgumentException naming the variable that is missing or malformed
     */
    public static HelperSettings fromEnv(Map<String, String> env) {
        return new HelperSettings(
                required(env, "NODE_NAME"),
                required(env, "POD_NAMESPACE"),
                list(required(env, "QUIESCE_SOCKET_ROOTS")).stream().map(Path::of).toList(),
                list(required(env, "QUIESCE_SOCKET_TEMPLATES")),
                parseInt(env, "QUIESCE_MAX_FREEZES_PER_NODE", "4"),
                parseDuration(env, "QUIESCE_FREEZE_TIMEOUT_MAX", "30s"),
                address(env.get("QUIESCE_HEALTH_ADDRESS")));
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
            return new InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("QUIESCE_HEALTH_ADDRESS must be host:port, was " + value, e);
        }
    }
}
