package io.quiesce.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.AgentException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestInfo;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import io.quiesce.testkit.guest.GuestKnob;
import io.quiesce.testkit.guest.GuestShell;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The preflight against the REAL qemu-guest-agent, on the shared test guest (no second boot):
 *
 * <ul>
 *   <li>{@code AgentFreezeDisabled}: the agent is restarted with {@code block-rpcs} in its
 *       configuration file ({@code /etc/qemu/qemu-ga.conf}; what {@code -b guest-fsfreeze-freeze}
 *       does on its command line); the preflight must read the real {@code guest-info} and send no
 *       freeze. The agent is restored after.
 *   <li>the wait for an agent that does not answer yet: the agent is stopped ({@code SIGSTOP}) for
 *       a few seconds, as a guest still booting leaves the host's end of the channel unanswered.
 * </ul>
 */
@RealGuest
class GuestPreflightRealAgentTest {
  private static final Duration AGENT_RESTART = Duration.ofSeconds(30);
  private static final QgaSettings SETTINGS =
      QgaSettings.defaults().withCommandTimeout(Duration.ofSeconds(5));

  @Test
  void anAgentWithTheFreezeBlockedIsRefusedBeforeAnyFreeze(GuestVm guest) {
    try {
      restartAgentWith(
          guest, "[general]\nblock-rpcs=guest-fsfreeze-freeze,guest-fsfreeze-freeze-list\n");
      GuestInfo info =
          awaitInfo(guest, i -> Boolean.FALSE.equals(i.commands().get(QgaClient.FREEZE)));
      assertThat(info.commands())
          .as("the real agent's guest-info")
          .containsEntry(QgaClient.FREEZE, false)
          .containsEntry(QgaClient.FREEZE_LIST, false)
          .containsEntry(QgaClient.THAW, true);
      guest.awaitWriterAdvance(Duration.ofSeconds(30));

      long mark = guest.consoleMark();
      GuestPreflightException refused;
      try (FreezeEngine engine = engine(guest)) {
        GuestPreflight preflight =
            GuestPreflight.waitingUntil(Instant.now().plusSeconds(20), Clock.systemUTC());
        refused =
            catchThrowableOfType(
                GuestPreflightException.class,
                () ->
                    engine.freeze(
                        new GuestRef("test", "blocked"),
                        FreezeOptions.allFilesystems(Duration.ofSeconds(5))
                            .withPreflight(preflight)));
      }

      assertThat(refused.reason()).isEqualTo(GuestPreflight.AGENT_FREEZE_DISABLED);
      assertThat(refused.getMessage())
          .contains("guest-fsfreeze-freeze as disabled", info.version());
      try (QgaClient client = new QgaClient(guest.agentSocket(), SETTINGS)) {
        assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
      }
      assertThat(guest.consoleSince(mark))
          .as("no freeze ran the guest's fsfreeze hook")
          .doesNotContain("HOOK freeze");
      guest.awaitWriterAdvance(Duration.ofSeconds(30));
    } finally {
      restartAgentWith(guest, null);
      awaitInfo(guest, i -> Boolean.TRUE.equals(i.commands().get(QgaClient.FREEZE)));
    }
  }

  @Test
  void anAgentThatDoesNotAnswerYetIsWaitedForAndThenFrozen(GuestVm guest) {
    long mark = guest.consoleMark();
    stopAgentFor(guest, 4);
    await("the agent is stopped")
        .atMost(AGENT_RESTART)
        .until(() -> guest.consoleSince(mark).contains("AGENT-STOPPED"));
    Instant asked = Instant.now();
    FreezeWindow window;
    try (FreezeEngine engine = engine(guest)) {
      GuestPreflight preflight =
          GuestPreflight.waitingUntil(Instant.now().plusSeconds(60), Clock.systemUTC());
      window =
          engine
              .freeze(
                  new GuestRef("test", "booting"),
                  FreezeOptions.allFilesystems(Duration.ofSeconds(5)).withPreflight(preflight))
              .thaw();
    }

    assertThat(window.filesystemsFrozen()).isEqualTo(1);
    String console = guest.consoleSince(mark);
    assertThat(console.indexOf("HOOK freeze"))
        .as("frozen only after the agent answered again")
        .isGreaterThan(console.indexOf("AGENT-CONTINUED"))
        .isPositive();
    System.out.printf(
        "[figure] preflight: agent stopped 4 s; frozen %d ms after the freeze was asked%n",
        Duration.between(asked, window.start()).toMillis());
  }

  @Test
  void anAgentThatDoesNotAnswerByTheDeadlineIsGivenUpWithNothingFrozen(GuestVm guest) {
    long mark = guest.consoleMark();
    stopAgentFor(guest, 8);
    try {
      await("the agent is stopped")
          .atMost(AGENT_RESTART)
          .until(() -> guest.consoleSince(mark).contains("AGENT-STOPPED"));
      Instant readyBy = Instant.now().plusSeconds(3);
      GuestPreflightException refused;
      try (FreezeEngine engine = engine(guest)) {
        refused =
            catchThrowableOfType(
                GuestPreflightException.class,
                () ->
                    engine.freeze(
                        new GuestRef("test", "silent"),
                        FreezeOptions.allFilesystems(Duration.ofSeconds(5))
                            .withPreflight(
                                GuestPreflight.waitingUntil(readyBy, Clock.systemUTC()))));
      }

      assertThat(refused.reason()).isEqualTo(GuestPreflight.AGENT_NOT_READY);
      assertThat(Instant.now())
          .as("gave up at the deadline, not at the agent's return")
          .isAfterOrEqualTo(readyBy)
          .isBefore(readyBy.plusSeconds(4));
      assertThat(guest.consoleSince(mark))
          .doesNotContain("AGENT-CONTINUED")
          .doesNotContain("HOOK freeze");
    } finally {
      await("the agent answers again")
          .atMost(AGENT_RESTART)
          .until(() -> guest.consoleSince(mark).contains("AGENT-CONTINUED"));
      awaitInfo(guest, i -> true);
    }
    assertThat(guest.consoleSince(mark))
        .as("nothing froze it later either")
        .doesNotContain("HOOK freeze");
  }

  private static FreezeEngine engine(GuestVm guest) {
    return FreezeEngine.create(
        g -> new QgaClient(guest.agentSocket(), SETTINGS),
        FreezeEngineConfig.builder().build(),
        new SimpleMeterRegistry());
  }

  /**
   * Has the guest stop its agent (SIGSTOP) for {@code seconds}, from a background shell that says
   * so on the console.
   */
  private static void stopAgentFor(GuestVm guest, int seconds) {
    try (QgaClient client = new QgaClient(guest.agentSocket(), SETTINGS)) {
      GuestShell.run(
          (command, arguments) -> client.execute(command, arguments, Duration.ofSeconds(5)),
          "(sleep 0.3; kill -STOP $(pidof qemu-ga); echo '[guest] AGENT-STOPPED' >/dev/console; sleep \"$1\";"
              + " kill -CONT $(pidof qemu-ga); echo '[guest] AGENT-CONTINUED' >/dev/console)"
              + " >/dev/null 2>&1 </dev/null &",
          String.valueOf(seconds));
    }
  }

  /**
   * Writes (or, for null, removes) the agent's configuration file, then has the guest kill the
   * agent; its supervisor restarts it.
   */
  private static void restartAgentWith(GuestVm guest, String config) {
    await("the agent takes the configuration")
        .atMost(AGENT_RESTART)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsInstanceOf(AgentException.class)
        .until(
            () -> {
              try (QgaClient client = new QgaClient(guest.agentSocket(), SETTINGS)) {
                GuestShell.AgentExec exec =
                    (command, arguments) ->
                        client.execute(command, arguments, Duration.ofSeconds(5));
                if (config == null) {
                  GuestShell.run(exec, "rm -f /etc/qemu/qemu-ga.conf");
                } else {
                  GuestShell.run(exec, "printf '%s' \"$1\" > /etc/qemu/qemu-ga.conf", config);
                }
              }
              return true;
            });
    guest.setKnob(GuestKnob.KILL_AGENT_IN, "0");
  }

  private static GuestInfo awaitInfo(GuestVm guest, Predicate<GuestInfo> wanted) {
    AtomicReference<GuestInfo> seen = new AtomicReference<>();
    await("the restarted agent's guest-info")
        .atMost(AGENT_RESTART)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsInstanceOf(AgentException.class)
        .until(
            () -> {
              try (QgaClient client = new QgaClient(guest.agentSocket(), SETTINGS)) {
                seen.set(client.info());
              }
              return wanted.test(seen.get());
            });
    return seen.get();
  }
}
