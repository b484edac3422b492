package io.quiesce.freeze;

import static io.quiesce.freeze.EngineFixture.VM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestOsInfo;
import io.quiesce.agent.QgaClient;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checks before the freeze command, through the engine, on a FAKE agent (the mapping of what an
 * agent says to a refusal; {@code AgentFreezeDisabledRealAgentTest} shows the real agent's
 * guest-info). Every refusal sends no freeze and leaves the guest thawed.
 */
class GuestPreflightTest {
  private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

  private EngineFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aDisabledFreezeCommandIsRefusedBeforeAnyFreeze() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent().disable(QgaClient.FREEZE);

    GuestPreflightException refused =
        catchThrowableOfType(
            GuestPreflightException.class,
            () -> fixture.engine.freeze(VM, options(FIVE_SECONDS, List.of())));

    assertThat(refused.reason()).isEqualTo(GuestPreflight.AGENT_FREEZE_DISABLED);
    assertThat(refused.getMessage())
        .contains("guest-fsfreeze-freeze as disabled", "--block-rpcs", "BestEffort");
    assertThat(agent.count(Command.FREEZE)).isZero();
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(fixture.engine.guestsFrozen()).isEmpty();
    assertThat(agent.openConnections()).as("the connection is closed with the hold").isZero();
  }

  @Test
  void aDisabledThawRefusesTheFreezeTooForNothingCouldThawIt() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent().disable(QgaClient.THAW);

    assertThatThrownBy(() -> fixture.engine.freeze(VM, options(FIVE_SECONDS, List.of())))
        .isInstanceOfSatisfying(
            GuestPreflightException.class,
            e -> assertThat(e.reason()).isEqualTo(GuestPreflight.AGENT_FREEZE_DISABLED))
        .hasMessageContaining("guest-fsfreeze-thaw");
    assertThat(agent.count(Command.FREEZE)).isZero();
  }

  @Test
  void theListFreezeIsCheckedOnlyWhenMountpointsAreAsked() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent().disable(QgaClient.FREEZE_LIST);

    assertThatThrownBy(() -> fixture.engine.freeze(VM, options(FIVE_SECONDS, List.of("/data"))))
        .isInstanceOfSatisfying(
            GuestPreflightException.class,
            e -> assertThat(e.reason()).isEqualTo(GuestPreflight.AGENT_FREEZE_DISABLED))
        .hasMessageContaining("guest-fsfreeze-freeze-list");
    assertThat(agent.count(Command.FREEZE)).isZero();

    FreezeWindow window = fixture.engine.freeze(VM, options(FIVE_SECONDS, List.of())).thaw();
    assertThat(window.filesystemsFrozen()).as("the whole-guest freeze is allowed").isEqualTo(1);
  }

  @Test
  void anAgentThatDoesNotKnowTheFreezeIsRefusedLikeADisabledOne() {
    fixture = new EngineFixture();
    fixture.agent().unknown(QgaClient.FREEZE);

    assertThatThrownBy(() -> fixture.engine.freeze(VM, options(FIVE_SECONDS, List.of())))
        .isInstanceOfSatisfying(
            GuestPreflightException.class,
            e -> assertThat(e.reason()).isEqualTo(GuestPreflight.AGENT_FREEZE_DISABLED))
        .hasMessageContaining("does not list guest-fsfreeze-freeze");
    assertThat(fixture.agent().count(Command.FREEZE)).isZero();
  }

  @Test
  void aWindowsGuestIsRefusedATimeoutAboveTheVssLimitButNotOneWithinIt() {
    fixture = new EngineFixture(config -> config.maxFreezeTimeout(Duration.ofSeconds(30)));
    FakeGuestAgent agent =
        fixture
            .agent()
            .osInfo(new GuestOsInfo("mswindows", "Microsoft Windows Server 2019", "17763"));

    GuestPreflightException refused =
        catchThrowableOfType(
            GuestPreflightException.class,
            () -> fixture.engine.freeze(VM, options(Duration.ofSeconds(15), List.of())));
    assertThat(refused.reason()).isEqualTo(GuestPreflight.WINDOWS_FREEZE_TIMEOUT_TOO_LONG);
    assertThat(refused.getMessage()).contains("Windows Server 2019", "15000 ms", "10s or less");
    assertThat(agent.count(Command.FREEZE)).isZero();

    FreezeWindow window =
        fixture.engine.freeze(VM, options(Duration.ofSeconds(10), List.of())).thaw();
    assertThat(window.filesystemsFrozen()).isEqualTo(1);
    assertThat(agent.count(Command.OSINFO)).as("10 s or less needs no osinfo call").isEqualTo(1);
  }

  @Test
  void aLinuxGuestOrAnAgentWithoutOsinfoMayStayFrozenLonger() {
    fixture = new EngineFixture(config -> config.maxFreezeTimeout(Duration.ofSeconds(30)));
    fixture
        .agents
        .agent(new GuestRef("default", "linux"))
        .osInfo(new GuestOsInfo("debian", "Debian 12", "6.1"));

    FreezeWindow linux =
        fixture
            .engine
            .freeze(new GuestRef("default", "linux"), options(Duration.ofSeconds(15), List.of()))
            .thaw();
    FreezeWindow unknown =
        fixture.engine.freeze(VM, options(Duration.ofSeconds(15), List.of())).thaw();

    assertThat(linux.filesystemsFrozen()).isEqualTo(1);
    assertThat(unknown.filesystemsFrozen())
        .as("CommandNotFound on osinfo: no Windows to protect")
        .isEqualTo(1);
  }

  @Test
  void anAgentNotAnsweringYetIsWaitedForWithBackoffThenFrozen() {
    fixture = new EngineFixture();
    FakeGuestAgent agent =
        fixture
            .agent()
            .script(
                Command.PING,
                Step.fail("AgentNotResponding"),
                Step.fail("AgentNotResponding"),
                Step.fail("AgentTimeout"));
    GuestPreflight preflight =
        new GuestPreflight(
            Instant.now().plusSeconds(20),
            new Backoff(Duration.ofMillis(20), Duration.ofMillis(40)),
            Clock.systemUTC());

    FreezeWindow window =
        fixture
            .engine
            .freeze(VM, FreezeOptions.allFilesystems(FIVE_SECONDS).withPreflight(preflight))
            .thaw();

    assertThat(window.filesystemsFrozen()).isEqualTo(1);
    assertThat(agent.count(Command.PING)).isEqualTo(4);
    assertThat(agent.calls())
        .as("the freeze comes only after the agent answered")
        .containsSubsequence(Command.PING, Command.STATUS, Command.INFO, Command.FREEZE);
  }

  @Test
  void anAgentThatNeverAnswersIsGivenUpAtTheDeadlineWithNothingFrozen() {
    fixture = new EngineFixture();
    FakeGuestAgent agent =
        fixture
            .agent()
            .script(
                Command.PING,
                Collections.nCopies(200, Step.fail("AgentNotResponding")).toArray(Step[]::new));
    Instant readyBy = Instant.now().plusMillis(600);
    GuestPreflight preflight =
        new GuestPreflight(
            readyBy, new Backoff(Duration.ofMillis(50), Duration.ofMillis(100)), Clock.systemUTC());

    GuestPreflightException refused =
        catchThrowableOfType(
            GuestPreflightException.class,
            () ->
                fixture.engine.freeze(
                    VM, FreezeOptions.allFilesystems(FIVE_SECONDS).withPreflight(preflight)));

    assertThat(refused.reason()).isEqualTo(GuestPreflight.AGENT_NOT_READY);
    assertThat(refused.getMessage())
        .contains("did not answer", readyBy.toString(), "qemu-guest-agent");
    assertThat(Instant.now())
        .as("waited until the deadline, not past it by more than a slice")
        .isAfterOrEqualTo(readyBy)
        .isBefore(readyBy.plusSeconds(2));
    // retried, and not in a tight loop: a spin would use all 200 scripted failures in 600 ms. The
    // exact
    // count varied between runs (7-55 seen; once 55 in a full suite run, cause not found): left
    // open
    assertThat(agent.count(Command.PING)).as("retried with backoff").isBetween(3L, 150L);
    assertThat(agent.count(Command.FREEZE)).isZero();
    assertThat(fixture.engine.guestsFrozen()).isEmpty();
  }

  @Test
  void otherFailuresAreNotWaitedForAndKeepTheirReason() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent().script(Command.PING, Step.fail("AgentProtocolError"));
    GuestPreflight preflight =
        GuestPreflight.waitingUntil(Instant.now().plusSeconds(30), Clock.systemUTC());

    assertThatThrownBy(
            () ->
                fixture.engine.freeze(
                    VM, FreezeOptions.allFilesystems(FIVE_SECONDS).withPreflight(preflight)))
        .isInstanceOfSatisfying(
            FreezeFailedException.class,
            e -> assertThat(e.reason()).isEqualTo("AgentProtocolError"));
    assertThat(agent.count(Command.PING)).isEqualTo(1);
  }

  @Test
  void aPermissionDeniedFreezeIsExplainedAsSELinuxWithTheGuestsTextBounded() {
    fixture = new EngineFixture();
    String hostile = "failed to freeze /data: Permission denied\u001b[31m" + "x".repeat(5000);
    fixture.agent().script(Command.FREEZE, Step.agentError("GenericError", hostile));

    FreezeFailedException failed =
        catchThrowableOfType(
            FreezeFailedException.class,
            () -> fixture.engine.freeze(VM, options(FIVE_SECONDS, List.of())));
    GuestPreflightException explained = GuestPreflight.explainFreezeFailure(failed).orElseThrow();

    assertThat(explained.reason()).isEqualTo(GuestPreflight.GUEST_SELINUX_DENIED);
    assertThat(explained.getMessage())
        .contains("failed to freeze /data: Permission denied", "virt_qemu_ga_t", "ausearch -m avc")
        .doesNotContain("\u001b")
        .hasSizeLessThan(1000);
    assertThat(fixture.agent().state()).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void otherFreezeErrorsAreNotBlamedOnSELinux() {
    fixture = new EngineFixture();
    fixture
        .agent()
        .script(
            Command.FREEZE,
            Step.agentError(
                "GenericError", "failed to freeze /data: Device or" + " resource busy"));

    FreezeFailedException failed =
        catchThrowableOfType(
            FreezeFailedException.class,
            () -> fixture.engine.freeze(VM, options(FIVE_SECONDS, List.of())));

    assertThat(GuestPreflight.explainFreezeFailure(failed)).isEmpty();
    assertThat(GuestPreflight.explainFreezeFailure(new RuntimeException("Permission denied")))
        .as("not the agent's")
        .isEmpty();
  }

  @Test
  void guestTextIsBoundedAndPrintable() {
    assertThat(GuestPreflight.bounded("a\nb\u0000c\u202e")).isEqualTo("a bc");
    assertThat(GuestPreflight.bounded("y".repeat(1000)))
        .hasSize(GuestPreflight.MAX_GUEST_TEXT)
        .endsWith("[truncated]");
    assertThat(GuestPreflight.bounded(null)).isEmpty();
  }

  /**
   * Preflight with no wait for the agent (one attempt), as for a snapshot whose deadline left none.
   */
  private static FreezeOptions options(Duration timeout, List<String> mountpoints) {
    return new FreezeOptions(
        mountpoints, timeout, GuestPreflight.waitingUntil(null, Clock.systemUTC()));
  }
}
