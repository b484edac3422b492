package io.quiesce.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiesce.agent.FreezeState;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a restarted helper does first: thaw the guests frozen with no live freeze behind them. */
class RecoveryTest {
  private static final GuestRef FROZEN = new GuestRef("ns", "frozen-by-a-dead-helper");
  private static final GuestRef THAWED = new GuestRef("ns", "thawed");
  private static final GuestRef GONE = new GuestRef("ns", "agent-gone");
  private static final GuestRef HUNG = new GuestRef("ns", "agent-hung");
  private static final GuestRef LIVE = new GuestRef("ns", "live-freeze-of-ours");

  private final EngineFixture fixture = new EngineFixture();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void thawsGuestsFrozenWithNoLiveFreezeAndReportsEveryGuest() {
    FakeAgentConnector agents = fixture.agents;
    agents.agent(FROZEN).frozenAlready();
    agents.agent(GONE).unreachable(true);
    agents.agent(HUNG).script(Command.STATUS, Step.hang());
    FreezeSession live =
        fixture.engine.freeze(LIVE, FreezeOptions.allFilesystems(Duration.ofSeconds(5)));

    RecoveryReport report =
        fixture.engine.recover(new StaticGuestInventory(List.of(FROZEN, THAWED, GONE, HUNG, LIVE)));

    assertThat(report.guests())
        .extracting(GuestRecovery::guest)
        .containsExactly(FROZEN, THAWED, GONE, HUNG, LIVE);
    assertThat(report.guests())
        .extracting(GuestRecovery::action)
        .containsExactly(
            RecoveryAction.THAWED,
            RecoveryAction.NOT_FROZEN,
            RecoveryAction.UNREACHABLE,
            RecoveryAction.UNREACHABLE,
            RecoveryAction.SKIPPED_LIVE_FREEZE);
    assertThat(report.guests().get(2).detail()).startsWith("AgentUnavailable");
    assertThat(report.guests().get(3).detail()).startsWith("AgentTimeout: no reply within 500 ms");
    assertThat(report.guests().get(3).durationMs())
        .as("the hung status call was cut at the call timeout")
        .isBetween(450L, 2000L);
    assertThat(report.allThawed()).isFalse();
    assertThat(agents.agent(FROZEN).state()).isEqualTo(FreezeState.THAWED);
    assertThat(agents.agent(LIVE).state())
        .as("our own live freeze is left to its owner")
        .isEqualTo(FreezeState.FROZEN);
    assertThat(fixture.scraped("quiesce_helper_recovery_thaws_total")).isEqualTo(1.0);
    assertThat(live.thaw().thawedBy()).isEqualTo(ThawedBy.CALLER);
    assertThat(fixture.engine.guestsFrozen()).isEmpty();
  }

  @Test
  void checksGuestsInParallelButNoMoreThanConfigured() throws Exception {
    FakeAgentConnector agents = fixture.agents;
    List<GuestRef> guests =
        List.of(
            new GuestRef("ns", "a"),
            new GuestRef("ns", "b"),
            new GuestRef("ns", "c"),
            new GuestRef("ns", "d"));
    CountDownLatch gate = new CountDownLatch(1);
    guests.forEach(g -> agents.agent(g).script(Command.STATUS, Step.gate(gate)));

    CompletableFuture<RecoveryReport> report =
        CompletableFuture.supplyAsync(
            () -> fixture.engine.recover(new StaticGuestInventory(guests)));
    await().atMost(Duration.ofSeconds(5)).until(() -> agents.maxCallsInFlight() == 2);
    assertThat(agents.agent(guests.get(2)).calls()).as("the third waits for a free lane").isEmpty();
    gate.countDown();

    assertThat(report.get(5, TimeUnit.SECONDS).count(RecoveryAction.NOT_FROZEN)).isEqualTo(4);
    assertThat(agents.maxCallsInFlight()).isEqualTo(2);
  }

  @Test
  void aFrozenGuestThatWillNotThawIsReportedAndStaysOnTheNeedsThawList() {
    FakeGuestAgent agent = fixture.agents.agent(FROZEN).frozenAlready();
    agent.script(Command.THAW, Collections.nCopies(1000, Step.noEffect()).toArray(Step[]::new));

    RecoveryReport report = fixture.engine.recover(new StaticGuestInventory(List.of(FROZEN)));

    assertThat(report.guests().get(0).action()).isEqualTo(RecoveryAction.STILL_FROZEN);
    assertThat(fixture.engine.guestsNeedingThaw()).containsExactly(FROZEN);
    agent.clearScript();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                agent.state() == FreezeState.THAWED
                    && fixture.engine.guestsNeedingThaw().isEmpty());
  }
}
