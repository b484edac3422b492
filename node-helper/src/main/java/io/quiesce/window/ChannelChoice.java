package io.quiesce.window;

import io.quiesce.api.v1alpha1.ChannelAttempt;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.status.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which way the helper reaches a guest, from the channel asked for, the sockets found on this node
 * and a probe of each channel before it is used. A rule with the probe passed in, so that the whole
 * table is unit-tested:
 *
 * <ul>
 *   <li>{@code auto}: libvirt, then qga, each only when its socket is there and its probe passes;
 *       when neither can be used, nothing, reason {@link Reason#NO_AGENT_CHANNEL} (the operator
 *       then freezes through KubeVirt's API). The qga probe of an agent socket that libvirt holds
 *       is not answered (QEMU serves one client at a time): it fails within its bound.
 *   <li>{@code libvirt} or {@code qga}: that channel, probed, or a clear reason; never another
 *       channel.
 *   <li>{@code kubevirt-api}: the operator's channel, never the helper's.
 * </ul>
 *
 * A probe sends no freeze command, so falling back never follows a freeze.
 */
final class ChannelChoice {
  /** The reason of the attempt whose channel was used. */
  static final String READY = Reason.READY.wire();

  private ChannelChoice() {}

  /**
   * What was looked for on this node, and why it was not found when it was not.
   *
   * @param libvirtSocket the libvirt daemon socket of the VM's pod, or null
   * @param libvirtProblem why there is none (not configured, not there, unsafe path)
   * @param agentSocket the VM's agent socket, or null
   * @param agentProblem why there is none
   */
  record Sockets(
      Path libvirtSocket, String libvirtProblem, Path agentSocket, String agentProblem) {}

  /** Checks that a channel reaches an agent that answers, without freezing anything. */
  @FunctionalInterface
  interface Probe {
    ProbeResult probe(FreezeMethod channel, Path socket);
  }

  /**
   * What a probe found.
   *
   * @param reason {@value #READY}, or why the channel cannot be used (CamelCase)
   * @param message for people
   */
  record ProbeResult(String reason, String message) {
    ProbeResult {
      Objects.requireNonNull(reason, "reason");
    }

    static ProbeResult ready(String message) {
      return new ProbeResult(READY, message);
    }

    boolean ready() {
      return READY.equals(reason);
    }
  }

  /**
   * The outcome: a method and socket, or a reason and message; and every channel tried, in order.
   *
   * @param method {@code QGA} or {@code LIBVIRT}; null when no channel can be used
   * @param socket the socket of {@code method}; null with it
   * @param reason the CamelCase reason when no channel can be used
   * @param problem what was missing, for people
   * @param attempts the channels tried, the used one last
   */
  record Choice(
      FreezeMethod method,
      Path socket,
      String reason,
      String problem,
      List<ChannelAttempt> attempts) {
    Choice {
      attempts = List.copyOf(attempts);
    }

    static Choice of(FreezeMethod method, Path socket, List<ChannelAttempt> attempts) {
      return new Choice(method, Objects.requireNonNull(socket), null, null, attempts);
    }

    static Choice none(String reason, String problem, List<ChannelAttempt> attempts) {
      return new Choice(null, null, reason, problem, attempts);
    }

    boolean found() {
      return method != null;
    }
  }

  static Choice choose(QuiesceChannel requested, Sockets sockets, Probe probe) {
    return switch (requested) {
      case AUTO -> auto(sockets, probe);
      case LIBVIRT -> only(FreezeMethod.LIBVIRT, sockets, probe);
      case QGA -> only(FreezeMethod.QGA, sockets, probe);
      case KUBEVIRT_API ->
          Choice.none(
              Reason.CHANNEL_NOT_SERVED.wire(),
              "channel kubevirt-api is run by the operator, not by the node helper",
              List.of());
    };
  }

  private static Choice auto(Sockets sockets, Probe probe) {
    List<ChannelAttempt> attempts = new ArrayList<>();
    for (FreezeMethod channel : List.of(FreezeMethod.LIBVIRT, FreezeMethod.QGA)) {
      if (attempt(channel, sockets, probe, attempts)) {
        return Choice.of(channel, socketOf(channel, sockets), attempts);
      }
    }
    return Choice.none(
        Reason.NO_AGENT_CHANNEL.wire(),
        "channel auto could use no channel of the node helper: "
            + attempts.stream()
                .map(a -> name(a.getChannel()) + ": " + a.getReason() + " (" + a.getMessage() + ")")
                .collect(Collectors.joining("; ")),
        attempts);
  }

  private static Choice only(FreezeMethod channel, Sockets sockets, Probe probe) {
    List<ChannelAttempt> attempts = new ArrayList<>();
    if (attempt(channel, sockets, probe, attempts)) {
      return Choice.of(channel, socketOf(channel, sockets), attempts);
    }
    ChannelAttempt failed = attempts.get(0);
    return Choice.none(
        failed.getReason(), "channel " + name(channel) + ": " + failed.getMessage(), attempts);
  }

  /**
   * Looks for the channel's socket and probes it; records the attempt; true when it can be used.
   */
  private static boolean attempt(
      FreezeMethod channel, Sockets sockets, Probe probe, List<ChannelAttempt> attempts) {
    Path socket = socketOf(channel, sockets);
    if (socket == null) {
      boolean libvirt = channel == FreezeMethod.LIBVIRT;
      attempts.add(
          new ChannelAttempt(
              channel,
              libvirt
                  ? Reason.LIBVIRT_SOCKET_NOT_FOUND.wire()
                  : Reason.AGENT_SOCKET_NOT_FOUND.wire(),
              libvirt ? sockets.libvirtProblem() : sockets.agentProblem()));
      return false;
    }
    ProbeResult result = probe.probe(channel, socket);
    attempts.add(new ChannelAttempt(channel, result.reason(), result.message()));
    return result.ready();
  }

  private static Path socketOf(FreezeMethod channel, Sockets sockets) {
    return channel == FreezeMethod.LIBVIRT ? sockets.libvirtSocket() : sockets.agentSocket();
  }

  private static String name(FreezeMethod channel) {
    return channel == FreezeMethod.LIBVIRT ? "libvirt" : "qga";
  }
}
