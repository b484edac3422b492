package io.quiesce.freeze;

import static io.quiesce.freeze.EngineFixture.OTHER_VM;
import static io.quiesce.freeze.EngineFixture.VM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.agent.FreezeState;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import io.quiesce.testkit.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FreezeEngineTest {
  private static final FreezeOptions FIVE_SECONDS =
      FreezeOptions.allFilesystems(Duration.ofSeconds(5));

  private EngineFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void freezeThenThawRecordsTheExactWindowAndEndsConfirmedThawed() {
    MovableClock clock = new MovableClock(Instant.parse("2025-01-01T00:00:00Z"));
    fixture = new EngineFixture(config -> {}, clock);
    FakeGuestAgent agent = fixture.agent();
    agent.onStateChange(state -> clock.advance(Duration.ofMillis(84)));

    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);
    assertThat(agent.state()).isEqualTo(FreezeState.FROZEN);
    assertThat(session.filesystemsFrozen()).isEqualTo(1);
    assertThat(session.deadline()).isEqualTo(Instant.parse("2025-01-01T00:00:05Z"));

    FreezeWindow window = session.thaw();

    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    // the window runs from the freeze reply (84 ms after the send) to the confirmed thaw; the
    // watchdog's deadline above still counts from the send
    assertThat(window)
        .isEqualTo(
            new FreezeWindow(
                VM,
                Instant.parse("2025-01-01T00:00:00.084Z"),
                Instant.parse("2025-01-01T00:00:00.168Z"),
                84,
                1,
                ThawedBy.CALLER,
                false));
    assertThat(agent.calls())
        .containsExactly(Command.STATUS, Command.FREEZE, Command.THAW, Command.STATUS);
    assertThat(agent.maxOpenConnections()).as("one connection per guest").isEqualTo(1);
    assertThat(agent.openConnections()).as("closed when the freeze ends").isZero();
    assertThat(fixture.engine.guestsFrozen()).isEmpty();
  }

  @Test
  void theWindowStartsAtTheFreezeReplyAfterTheJournalWriteButTheDeadlineCountsFromBeforeIt() {
    MovableClock clock = new MovableClock(Instant.parse("2025-01-01T00:00:00Z"));
    fixture = new EngineFixture(config -> {}, clock);
    FakeGuestAgent agent = fixture.agent();
    agent.onStateChange(state -> clock.advance(Duration.ofMillis(84)));
    fixture.engine.recordFreezesWith(
        new FreezeRecorder() {
          @Override
          public void freezing(GuestRef guest, Instant deadline) {
            clock.advance(Duration.ofMillis(50)); // a slow fsync of the journal
          }

          @Override
          public void forget(GuestRef guest) {}

          @Override
          public boolean keepsRecords() {
            return true;
          }
        });

    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);
    FreezeWindow window = session.thaw();

    assertThat(session.deadline())
        .as("a slow journal shortens the freeze, never lengthens it")
        .isEqualTo(Instant.parse("2025-01-01T00:00:05Z"));
    assertThat(window.start())
        .as("the freeze reply, after the journal write and the agent's 84 ms")
        .isEqualTo(Instant.parse("2025-01-01T00:00:00.134Z"));
    assertThat(window.durationMs()).as("to the thaw's reply").isEqualTo(84);
  }

  @Test
  void thawIsIdempotent() {
    fixture = new EngineFixture();
    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);

    FreezeWindow first = session.thaw();
    FreezeWindow second = session.thaw();

    assertThat(second).isSameAs(first);
    assertThat(fixture.agent().count(Command.THAW)).isEqualTo(1);
  }

  @Test
  void secondFreezeOfTheSameGuestFailsFastUntilTheFirstIsThawed() {
    fixture = new EngineFixture();
    FreezeSession first = fixture.engine.freeze(VM, FIVE_SECONDS);

    assertThatThrownBy(() -> fixture.engine.freeze(VM, FIVE_SECONDS))
        .isInstanceOf(FreezeInProgressException.class)
        .extracting(e -> ((FreezeException) e).reason())
        .isEqualTo("FreezeInProgress");
    assertThat(fixture.agent().count(Command.FREEZE))
        .as("the refused request never reached the agent")
        .isEqualTo(1);

    first.thaw();
    fixture.engine.freeze(VM, FIVE_SECONDS).thaw();
    assertThat(fixture.agent().count(Command.FREEZE)).isEqualTo(2);
  }

  @Test
  void nodeCapRefusesAFreezeBeyondItAfterTheBoundedWait() {
    fixture =
        new EngineFixture(
            config -> config.maxConcurrentFreezes(1).slotWait(Duration.ofMillis(200)));
    FreezeSession first = fixture.engine.freeze(VM, FIVE_SECONDS);

    long before = System.nanoTime();
    assertThatThrownBy(() -> fixture.engine.freeze(OTHER_VM, FIVE_SECONDS))
        .isInstanceOf(FreezeCapReachedException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - before))
        .isGreaterThanOrEqualTo(Duration.ofMillis(190));
    assertThat(fixture.agents.agent(OTHER_VM).calls()).isEmpty();

    first.thaw();
    fixture.engine.freeze(OTHER_VM, FIVE_SECONDS).thaw();
  }

  @Test
  void aFreezeWaitingForASlotGetsItWhenOneIsFreedInTime() throws Exception {
    fixture =
        new EngineFixture(config -> config.maxConcurrentFreezes(1).slotWait(Duration.ofSeconds(5)));
    FreezeSession first = fixture.engine.freeze(VM, FIVE_SECONDS);
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<FreezeSession> second =
        CompletableFuture.supplyAsync(
            () -> {
              waiter.set(Thread.currentThread());
              return fixture.engine.freeze(OTHER_VM, FIVE_SECONDS);
            });
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> waiter.get() != null && waiter.get().getState() == Thread.State.TIMED_WAITING);
    assertThat(second).isNotDone();

    first.thaw();

    FreezeSession session = second.get(5, TimeUnit.SECONDS);
    assertThat(fixture.agents.agent(OTHER_VM).state()).isEqualTo(FreezeState.FROZEN);
    session.thaw();
  }

  @Test
  void aGuestFrozenWithNoFreezeOfOursIsThawedFirstThenFrozenAndSaysSo() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent().frozenAlready();

    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);

    assertThat(session.staleFreezeThawedFirst()).isTrue();
    assertThat(agent.calls())
        .containsExactly(Command.STATUS, Command.THAW, Command.STATUS, Command.FREEZE);
    FreezeWindow window = session.thaw();
    assertThat(window.staleFreezeThawedFirst()).isTrue();
    assertThat(window.thawedBy()).isEqualTo(ThawedBy.CALLER);
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void aStaleFreezeThatWillNotThawFailsTheFreezeAndLeavesTheGuestOnTheNeedsThawList() {
    fixture =
        new EngineFixture(
            config ->
                config
                    .staleThawTimeout(Duration.ofMillis(200))
                    .needsThawRetryInterval(Duration.ofSeconds(30)));
    FakeGuestAgent agent = fixture.agent().frozenAlready();
    agent.script(
        Command.THAW,
        Step.noEffect(),
        Step.noEffect(),
        Step.noEffect(),
        Step.noEffect(),
        Step.noEffect(),
        Step.noEffect(),
        Step.noEffect(),
        Step.noEffect());

    assertThatThrownBy(() -> fixture.engine.freeze(VM, FIVE_SECONDS))
        .isInstanceOf(FreezeFailedException.class)
        .extracting(e -> ((FreezeException) e).reason())
        .isEqualTo("StaleFreezeNotThawed");
    assertThat(agent.count(Command.FREEZE)).isZero();
    assertThat(fixture.engine.guestsNeedingThaw()).containsExactly(VM);
  }

  @Test
  void thawOfAGuestAlreadyThawedBehindOurBackIsASuccess() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent();
    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);
    agent.thawBehindTheEnginesBack();

    FreezeWindow window = session.thaw();

    assertThat(window.thawedBy()).isEqualTo(ThawedBy.CALLER);
    assertThat(agent.count(Command.THAW)).isEqualTo(1);
    assertThat(fixture.engine.guestsFrozen()).isEmpty();
  }

  @Test
  void aThawThatReportsAnErrorButLeavesTheGuestThawedIsASuccess() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent();
    // Windows VSS: the thaw after its 10 s limit reports an error, the guest is thawed anyway
    agent.script(Command.THAW, Step.applyThenFail("FreezeLimitExceeded"));
    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);

    FreezeWindow window = session.thaw();

    assertThat(window.thawedBy()).isEqualTo(ThawedBy.CALLER);
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(agent.count(Command.THAW)).isEqualTo(1);
  }

  @Test
  void aFreezeThatCountsNoFilesystemIsReportedAsSuch() {
    fixture = new EngineFixture();
    fixture.agent().script(Command.FREEZE, Step.reportCount(0));

    FreezeWindow window = fixture.engine.freeze(VM, FIVE_SECONDS).thaw();

    assertThat(window.filesystemsFrozen()).isZero();
    assertThat(window.anyFilesystemFrozen()).isFalse();
    assertThat(fixture.scraped("quiesce_helper_freeze_outcomes_total{reason=\"NothingFrozen\"}"))
        .isEqualTo(1.0);
  }

  @Test
  void aRefusedFreezeFailsWithTheAgentsReasonAndLeavesTheGuestThawedAndFree() {
    fixture = new EngineFixture();
    FakeGuestAgent agent = fixture.agent();
    agent.script(Command.FREEZE, Step.fail("FreezeFailed"));

    assertThatThrownBy(() -> fixture.engine.freeze(VM, FIVE_SECONDS))
        .isInstanceOf(FreezeFailedException.class)
        .hasMessageContaining("confirmed thawed")
        .extracting(e -> ((FreezeException) e).reason())
        .isEqualTo("FreezeFailed");
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(agent.calls())
        .containsExactly(Command.STATUS, Command.FREEZE, Command.THAW, Command.STATUS);

    fixture.engine.freeze(VM, FIVE_SECONDS).thaw();
  }

  @Test
  void anUnreachableAgentFailsTheFreezeWithItsReason() {
    fixture = new EngineFixture();
    fixture.agent().unreachable(true);

    assertThatThrownBy(() -> fixture.engine.freeze(VM, FIVE_SECONDS))
        .isInstanceOf(FreezeException.class)
        .extracting(e -> ((FreezeException) e).reason())
        .isEqualTo("AgentUnavailable");
    assertThat(fixture.engine.guestsFrozen()).isEmpty();
    fixture.agent().unreachable(false);
    fixture.engine.freeze(VM, FIVE_SECONDS).thaw();
  }

  @Test
  void mountpointsArePassedToTheAgent() {
    fixture = new EngineFixture();
    FreezeWindow window =
        fixture
            .engine
            .freeze(VM, new FreezeOptions(List.of("/data"), Duration.ofSeconds(5)))
            .thaw();
    assertThat(window.filesystemsFrozen()).isEqualTo(1);

    assertThatThrownBy(
            () ->
                fixture.engine.freeze(
                    VM, new FreezeOptions(List.of("/nope"), Duration.ofSeconds(5))))
        .isInstanceOf(FreezeFailedException.class)
        .hasMessageContaining("/nope");
  }

  @Test
  void aTimeoutAboveTheMaximumIsRefusedBeforeAnyAgentCall() {
    fixture = new EngineFixture(config -> config.maxFreezeTimeout(Duration.ofSeconds(30)));
    assertThatThrownBy(
            () -> fixture.engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(31))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximum");
    assertThat(fixture.agent().calls()).isEmpty();
  }

  @Test
  void runFrozenGivesTheWorkTheDeadlineAndThawsAfterIt() {
    fixture = new EngineFixture();
    AtomicReference<FreezeState> seenByWork = new AtomicReference<>();

    FrozenResult<Instant> result =
        fixture.engine.runFrozen(
            VM,
            FIVE_SECONDS,
            deadline -> {
              seenByWork.set(fixture.agent().state());
              return deadline;
            });

    assertThat(seenByWork.get()).isEqualTo(FreezeState.FROZEN);
    // the deadline counts from the send, the window from the reply that came after it
    assertThat(result.value())
        .isAfter(result.window().start())
        .isBeforeOrEqualTo(result.window().start().plus(Duration.ofSeconds(5)));
    assertThat(result.window().thawedBy()).isEqualTo(ThawedBy.CALLER);
    assertThat(fixture.agent().state()).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void runFrozenThawsWhenTheWorkFailsAndHandsBackTheWindow() {
    fixture = new EngineFixture();

    assertThatThrownBy(
            () ->
                fixture.engine.runFrozen(
                    VM,
                    FIVE_SECONDS,
                    deadline -> {
                      throw new IllegalStateException("snapshot class missing");
                    }))
        .isInstanceOf(FrozenWorkException.class)
        .hasCauseInstanceOf(IllegalStateException.class)
        .satisfies(
            e ->
                assertThat(((FrozenWorkException) e).window().thawedBy())
                    .isEqualTo(ThawedBy.CALLER));
    assertThat(fixture.agent().state()).isEqualTo(FreezeState.THAWED);
  }
}
