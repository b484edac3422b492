package io.quiesce.freeze;

import static io.quiesce.freeze.EngineFixture.VM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiesce.agent.FreezeState;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watchdog thaws at the deadline whatever the caller does (invariant 1). */
class WatchdogTest {
  private static final Duration TIMEOUT = Duration.ofMillis(400);

  /** Scheduling and one thaw on a busy 2-core machine; a real thaw takes 35-180 ms. */
  private static final Duration MARGIN = Duration.ofSeconds(1);

  /**
   * The fake measures from its own freeze, a little after the window's start, and timers round to
   * ms.
   */
  private static final Duration NOT_BEFORE = TIMEOUT.minusMillis(50);

  private EngineFixture fixture = new EngineFixture();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void thawsAtTheDeadlineWhenTheCallerNeverThaws() {
    FakeGuestAgent agent = fixture.agent();

    FreezeSession session = fixture.engine.freeze(VM, FreezeOptions.allFilesystems(TIMEOUT));

    await()
        .atMost(TIMEOUT.plus(Duration.ofSeconds(3)))
        .until(() -> agent.state() == FreezeState.THAWED);
    assertThat(agent.lastFrozenFor()).isBetween(NOT_BEFORE, TIMEOUT.plus(MARGIN));
    FreezeWindow window = session.thaw();
    assertThat(window.thawedBy()).isEqualTo(ThawedBy.WATCHDOG);
    assertThat(window.durationMs())
        .isBetween(NOT_BEFORE.toMillis(), TIMEOUT.plus(MARGIN).toMillis());
    assertThat(agent.count(Command.THAW)).as("the caller's late thaw changes nothing").isEqualTo(1);
    assertThat(fixture.scraped("quiesce_helper_watchdog_thaws_total")).isEqualTo(1.0);
    assertThat(fixture.scraped("quiesce_helper_freeze_outcomes_total{reason=\"WatchdogThawed\"}"))
        .isEqualTo(1.0);
  }

  @Test
  void abortsAFreezeCallHungPastTheDeadlineAndThawsOverAFreshConnection() {
    FakeGuestAgent agent = fixture.agent();
    // the agent froze the guest but its reply never comes, and the client does not time out
    agent.script(Command.FREEZE, Step.applyThenHang());

    long before = System.nanoTime();
    assertThatThrownBy(() -> fixture.engine.freeze(VM, FreezeOptions.allFilesystems(TIMEOUT)))
        .isInstanceOf(FreezeFailedException.class)
        .extracting(e -> ((FreezeException) e).reason())
        .isEqualTo("FreezeCallPastDeadline");

    assertThat(Duration.ofNanos(System.nanoTime() - before))
        .isLessThan(TIMEOUT.plus(MARGIN).plus(MARGIN));
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(agent.lastFrozenFor()).isBetween(Duration.ZERO, TIMEOUT.plus(MARGIN));
    assertThat(agent.connectionsOpened()).as("the hung connection was replaced").isEqualTo(2);
    assertThat(agent.maxOpenConnections())
        .as("closed before the fresh one was opened")
        .isEqualTo(1);
    assertThat(fixture.scraped("quiesce_helper_watchdog_thaws_total")).isEqualTo(1.0);
    assertThat(fixture.engine.guestsFrozen()).isEmpty();
  }

  @Test
  void abortsAThawCallHungPastTheDeadlineAndRetriesOverAFreshConnection() {
    fixture.close();
    // the engine's own call guard would cut the hung thaw too late here: only the watchdog can help
    // in time
    fixture = new EngineFixture(config -> config.callTimeout(Duration.ofSeconds(5)));
    FakeGuestAgent agent = fixture.agent();
    agent.script(Command.THAW, Step.hang());
    FreezeSession session = fixture.engine.freeze(VM, FreezeOptions.allFilesystems(TIMEOUT));

    // blocks in the hung thaw until the watchdog aborts it at the deadline
    FreezeWindow window = session.thaw();

    assertThat(window.thawedBy()).isEqualTo(ThawedBy.WATCHDOG);
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(agent.lastFrozenFor()).isBetween(NOT_BEFORE, TIMEOUT.plus(MARGIN));
    assertThat(agent.count(Command.THAW)).isEqualTo(2);
    assertThat(agent.maxOpenConnections()).isEqualTo(1);
  }

  @Test
  void aCallerThatThawsInTimeIsNotOverruledByTheWatchdog() {
    FreezeWindow window = fixture.engine.freeze(VM, FreezeOptions.allFilesystems(TIMEOUT)).thaw();

    assertThat(window.thawedBy()).isEqualTo(ThawedBy.CALLER);
    // the cancelled watchdog must not fire later either
    await()
        .during(TIMEOUT.plus(Duration.ofMillis(200)))
        .atMost(TIMEOUT.plus(Duration.ofSeconds(2)))
        .until(() -> fixture.scraped("quiesce_helper_watchdog_thaws_total") == 0.0);
    assertThat(fixture.agent().count(Command.THAW)).isEqualTo(1);
  }
}
