package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestFilesystem;
import io.quiesce.agent.GuestInfo;
import io.quiesce.api.v1alpha1.ChannelAttempt;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.freeze.FakeGuestAgent;
import io.quiesce.libvirt.LibvirtPermissionDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fallback table: the channel asked for × what each channel's socket and probe give → the route
 * taken or the reason, and every attempt recorded. The probes are the real {@link ChannelProbe} on
 * FAKE agents that fail the way the real clients do (a refused connect is the libvirt client's
 * {@link LibvirtPermissionDeniedException}, a socket libvirt holds times out in the qga handshake).
 * After the choice the test freezes through the route taken, as the window does, and checks that no
 * channel whose probe failed ever saw a freeze.
 */
class ChannelChoiceTest {
  private static final Path LIBVIRT =
      Path.of(
          "/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock");
  private static final Path AGENT = Path.of("/var/run/kubevirt-private/u/qga.sock");

  /** What a channel gives: no socket, or a socket whose probe answers so. */
  enum Outcome {
    /** no socket found */
    ABSENT,
    /** the agent answers guest-ping */
    READY,
    /** connect refused with EACCES (libvirt) */
    DENIED,
    /** the daemon answers, the agent does not (libvirt) */
    SILENT,
    /** connected, but nobody answers the handshake: libvirt holds the agent socket (qga) */
    HELD
  }

  @ParameterizedTest(name = "{0} with libvirt {1}, qga {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
            # asked      | libvirt | qga    | route or reason         | attempts
            auto         | READY   | READY  | libvirt                 | libvirt:Ready
            auto         | READY   | HELD   | libvirt                 | libvirt:Ready
            auto         | READY   | ABSENT | libvirt                 | libvirt:Ready
            auto         | DENIED  | READY  | qga                     | libvirt:LibvirtPermissionDenied qga:Ready
            auto         | DENIED  | HELD   | NoAgentChannel          | libvirt:LibvirtPermissionDenied qga:AgentNotResponding
            auto         | DENIED  | ABSENT | NoAgentChannel          | libvirt:LibvirtPermissionDenied qga:AgentSocketNotFound
            auto         | SILENT  | READY  | qga                     | libvirt:AgentNotResponding qga:Ready
            auto         | SILENT  | HELD   | NoAgentChannel          | libvirt:AgentNotResponding qga:AgentNotResponding
            auto         | SILENT  | ABSENT | NoAgentChannel          | libvirt:AgentNotResponding qga:AgentSocketNotFound
            auto         | ABSENT  | READY  | qga                     | libvirt:LibvirtSocketNotFound qga:Ready
            auto         | ABSENT  | HELD   | NoAgentChannel          | libvirt:LibvirtSocketNotFound qga:AgentNotResponding
            auto         | ABSENT  | ABSENT | NoAgentChannel          | libvirt:LibvirtSocketNotFound qga:AgentSocketNotFound
            libvirt      | READY   | READY  | libvirt                 | libvirt:Ready
            libvirt      | READY   | ABSENT | libvirt                 | libvirt:Ready
            libvirt      | DENIED  | READY  | LibvirtPermissionDenied | libvirt:LibvirtPermissionDenied
            libvirt      | DENIED  | ABSENT | LibvirtPermissionDenied | libvirt:LibvirtPermissionDenied
            libvirt      | SILENT  | READY  | AgentNotResponding      | libvirt:AgentNotResponding
            libvirt      | ABSENT  | READY  | LibvirtSocketNotFound   | libvirt:LibvirtSocketNotFound
            libvirt      | ABSENT  | ABSENT | LibvirtSocketNotFound   | libvirt:LibvirtSocketNotFound
            qga          | READY   | READY  | qga                     | qga:Ready
            qga          | ABSENT  | READY  | qga                     | qga:Ready
            qga          | DENIED  | READY  | qga                     | qga:Ready
            qga          | READY   | HELD   | AgentNotResponding      | qga:AgentNotResponding
            qga          | DENIED  | HELD   | AgentNotResponding      | qga:AgentNotResponding
            qga          | READY   | ABSENT | AgentSocketNotFound     | qga:AgentSocketNotFound
            qga          | ABSENT  | ABSENT | AgentSocketNotFound     | qga:AgentSocketNotFound
            kubevirt-api | READY   | READY  | ChannelNotServed        | ''
            kubevirt-api | DENIED  | HELD   | ChannelNotServed        | ''
            kubevirt-api | ABSENT  | ABSENT | ChannelNotServed        | ''
            """)
  void routeOrReasonByTheTable(
      String asked, Outcome libvirt, Outcome qga, String expected, String attempts) {
    Node node = new Node(libvirt, qga);

    ChannelChoice.Choice choice = node.choose(QuiesceChannel.parse(asked));
    FreezeMethod taken = choice.method();
    if (taken != null) { // what the window does next: freeze through the route taken, then thaw
      try (GuestAgent agent = node.open(taken)) {
        agent.freeze(List.of());
        agent.thaw();
      }
    }

    if (expected.equals("libvirt") || expected.equals("qga")) {
      assertThat(choice.found()).isTrue();
      assertThat(taken)
          .isEqualTo(expected.equals("libvirt") ? FreezeMethod.LIBVIRT : FreezeMethod.QGA);
      assertThat(choice.socket()).isEqualTo(taken == FreezeMethod.LIBVIRT ? LIBVIRT : AGENT);
      assertThat(choice.reason()).isNull();
    } else {
      assertThat(choice.found()).isFalse();
      assertThat(choice.reason()).isEqualTo(expected);
      assertThat(choice.problem()).isNotBlank();
    }
    assertThat(summary(choice.attempts())).isEqualTo(attempts);
    for (FreezeMethod channel : List.of(FreezeMethod.LIBVIRT, FreezeMethod.QGA)) {
      FakeGuestAgent agent = node.agents.get(channel);
      boolean probeFailed =
          choice.attempts().stream()
              .anyMatch(
                  a -> a.getChannel() == channel && !a.getReason().equals(ChannelChoice.READY));
      assertThat(agent.count(FakeGuestAgent.Command.FREEZE))
          .as("freezes through " + channel)
          .isEqualTo(channel == taken ? 1 : 0);
      if (probeFailed) {
        assertThat(agent.count(FakeGuestAgent.Command.FREEZE))
            .as("a freeze on " + channel + ", whose probe failed")
            .isZero();
      }
      boolean tried = choice.attempts().stream().anyMatch(a -> a.getChannel() == channel);
      if (!tried) { // an explicit channel never touches another one; kubevirt-api touches none
        assertThat(agent.calls()).as("calls on " + channel + ", never tried").isEmpty();
        assertThat(agent.connectionsOpened()).isZero();
      }
    }
  }

  @Test
  void aDeniedLibvirtSocketSaysHowToFixIt() {
    ChannelChoice.Choice choice =
        new Node(Outcome.DENIED, Outcome.ABSENT).choose(QuiesceChannel.LIBVIRT);

    assertThat(choice.reason()).isEqualTo("LibvirtPermissionDenied");
    assertThat(choice.problem())
        .startsWith("channel libvirt: cannot connect to the libvirt daemon socket " + LIBVIRT)
        .contains("CAP_DAC_OVERRIDE", "nodeHelper.securityContext", "spc_t", "kubevirt-api");
  }

  @Test
  void autoTellsEveryChannelItTriedAndWhy() {
    ChannelChoice.Choice choice =
        new Node(Outcome.DENIED, Outcome.HELD).choose(QuiesceChannel.AUTO);

    assertThat(choice.problem())
        .contains(
            "libvirt: LibvirtPermissionDenied",
            "qga: AgentNotResponding",
            "libvirt may hold this agent socket");
    assertThat(choice.attempts()).allSatisfy(a -> assertThat(a.getMessage()).isNotBlank());
  }

  @Test
  void aReadyAttemptSaysHowLongTheProbeTook() {
    ChannelChoice.Choice choice =
        new Node(Outcome.READY, Outcome.ABSENT).choose(QuiesceChannel.AUTO);

    assertThat(choice.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getReason()).isEqualTo("Ready");
              assertThat(a.getMessage())
                  .matches("the guest agent answered guest-ping through libvirt .* in \\d+ ms");
            });
  }

  private static String summary(List<ChannelAttempt> attempts) {
    return attempts.stream()
        .map(a -> a.getChannel().name().toLowerCase() + ":" + a.getReason())
        .collect(Collectors.joining(" "));
  }

  /** One VM's channels on a node: a fake agent behind each, failing as its outcome says. */
  private static final class Node {
    final Map<FreezeMethod, FakeGuestAgent> agents = new EnumMap<>(FreezeMethod.class);
    final Map<FreezeMethod, Outcome> outcomes = new EnumMap<>(FreezeMethod.class);

    Node(Outcome libvirt, Outcome qga) {
      agents.put(FreezeMethod.LIBVIRT, new FakeGuestAgent());
      agents.put(FreezeMethod.QGA, new FakeGuestAgent());
      outcomes.put(FreezeMethod.LIBVIRT, libvirt);
      outcomes.put(FreezeMethod.QGA, qga);
    }

    ChannelChoice.Choice choose(QuiesceChannel asked) {
      ChannelChoice.Sockets sockets =
          new ChannelChoice.Sockets(
              outcomes.get(FreezeMethod.LIBVIRT) == Outcome.ABSENT ? null : LIBVIRT,
                  "no libvirt socket at " + LIBVIRT,
              outcomes.get(FreezeMethod.QGA) == Outcome.ABSENT ? null : AGENT,
                  "no agent socket at " + AGENT);
      return ChannelChoice.choose(
          asked, sockets, (channel, socket) -> ChannelProbe.ping(channel, () -> open(channel)));
    }

    /**
     * Opens the channel as its client would: a refused connect throws here, a silent agent on the
     * first call.
     */
    GuestAgent open(FreezeMethod channel) {
      FakeGuestAgent agent = agents.get(channel);
      return switch (outcomes.get(channel)) {
        case READY -> agent.connect();
        case DENIED ->
            throw new LibvirtPermissionDeniedException(
                LIBVIRT, " (socket owned by uid 107 gid 107, mode 0700)", null);
        case SILENT ->
            failingPing(
                agent.connect(),
                () ->
                    new AgentNotRespondingException(
                        AgentNotRespondingException.Phase.COMMAND,
                        "guest-ping",
                        Duration.ofSeconds(5)));
        case HELD ->
            failingPing(
                agent.connect(),
                () ->
                    new AgentNotRespondingException(
                        AgentNotRespondingException.Phase.SYNC,
                        "guest-sync-delimited",
                        Duration.ofSeconds(2)));
        case ABSENT -> throw new AgentUnavailableException("no socket: never opened", null);
      };
    }

    /** A connection whose ping fails; every other call goes to the fake. */
    private static GuestAgent failingPing(
        GuestAgent connection, Supplier<RuntimeException> failure) {
      return new GuestAgent() {
        @Override
        public void ping() {
          throw failure.get();
        }

        @Override
        public GuestInfo info() {
          return connection.info();
        }

        @Override
        public FreezeState freezeStatus() {
          return connection.freezeStatus();
        }

        @Override
        public int freeze(List<String> mountpoints) {
          return connection.freeze(mountpoints);
        }

        @Override
        public int thaw() {
          return connection.thaw();
        }

        @Override
        public List<GuestFilesystem> filesystems() {
          return connection.filesystems();
        }

        @Override
        public void close() {
          connection.close();
        }
      };
    }
  }
}
