package io.quiesce.freeze;

import static io.quiesce.freeze.EngineFixture.VM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.agent.FreezeState;
import io.quiesce.freeze.FakeGuestAgent.Command;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FreezeEngine.withAgent, through which the hooks reach the guest: never while a freeze of ours
 * holds the guest, and a freeze waits for it to end (one connection per guest).
 */
class EngineWithAgentTest {
  private static final FreezeOptions FIVE_SECONDS =
      new FreezeOptions(List.of(), Duration.ofSeconds(5));

  private final EngineFixture fixture = new EngineFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void callsRunOnTheGuestsAgentAndTheConnectionIsClosedAfter() {
    AtomicReference<FreezeState> seen = new AtomicReference<>();

    fixture.engine.withAgent(VM, Duration.ofSeconds(5), agent -> seen.set(agent.freezeStatus()));

    assertThat(seen.get()).isEqualTo(FreezeState.THAWED);
    assertThat(fixture.agent().count(Command.STATUS)).isEqualTo(1);
    assertThat(fixture.agent().openConnections()).isZero();
  }

  @Test
  void refusedWhileAFreezeOfTheGuestIsLiveSoNoHookRunsWhileFrozen() {
    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);
    try {
      assertThatThrownBy(
              () -> fixture.engine.withAgent(VM, Duration.ofSeconds(5), agent -> agent.ping()))
          .isInstanceOf(FreezeInProgressException.class);
      assertThat(fixture.agent().count(Command.PING)).isZero();
    } finally {
      session.thaw();
    }
    fixture.engine.withAgent(VM, Duration.ofSeconds(5), agent -> agent.ping());
    assertThat(fixture.agent().count(Command.PING)).isEqualTo(1);
  }

  @Test
  void aFreezeIsRefusedWhileHooksHoldTheGuest() {
    fixture.engine.withAgent(
        VM,
        Duration.ofSeconds(5),
        agent ->
            assertThatThrownBy(() -> fixture.engine.freeze(VM, FIVE_SECONDS))
                .isInstanceOf(FreezeInProgressException.class));

    assertThat(fixture.agent().state()).isEqualTo(FreezeState.THAWED);
    assertThat(fixture.agent().count(Command.FREEZE)).isZero();
  }

  @Test
  void stillServedWhileShuttingDownSoThatPostThawHooksRun() {
    fixture.engine.shutdown(Duration.ofMillis(100));
    assertThatThrownBy(() -> fixture.engine.freeze(VM, FIVE_SECONDS))
        .isInstanceOf(FreezeException.class);

    fixture.engine.withAgent(VM, Duration.ofSeconds(5), agent -> agent.ping());

    assertThat(fixture.agent().count(Command.PING)).isEqualTo(1);
    assertThat(fixture.agent().count(Command.FREEZE)).isZero();
  }
}
