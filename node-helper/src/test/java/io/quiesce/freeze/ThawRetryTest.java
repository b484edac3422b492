package io.quiesce.freeze;

import static io.quiesce.freeze.EngineFixture.VM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiesce.agent.FreezeState;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Thaws are retried with backoff until the agent confirms them; what cannot be confirmed goes on
 * the needs-thaw list.
 */
class ThawRetryTest {
  private static final FreezeOptions FIVE_SECONDS =
      FreezeOptions.allFilesystems(Duration.ofSeconds(5));

  private EngineFixture fixture;

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void retriesWithGrowingWaitsUntilTheAgentConfirmsThawed() {
    fixture =
        new EngineFixture(
            config ->
                config.thawBackoff(new Backoff(Duration.ofMillis(40), Duration.ofMillis(200))));
    FakeGuestAgent agent = fixture.agent();
    agent.script(Command.THAW, Step.noEffect(), Step.fail("AgentTimeout"), Step.noEffect());
    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);

    long before = System.nanoTime();
    FreezeWindow window = session.thaw();
    Duration took = Duration.ofNanos(System.nanoTime() - before);

    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(agent.count(Command.THAW)).isEqualTo(4);
    assertThat(took)
        .as("waited 40 + 80 + 160 ms between the attempts")
        .isGreaterThanOrEqualTo(Duration.ofMillis(280));
    assertThat(window.thawedBy()).isEqualTo(ThawedBy.CALLER);
    assertThat(agent.connectionsOpened())
        .as("a failed call is followed by a fresh connection")
        .isEqualTo(2);
  }

  @Test
  void givesUpLoudlyAfterTheTotalTimeAndKeepsRetryingFromTheNeedsThawList() {
    fixture =
        new EngineFixture(
            config ->
                config
                    .thawGiveUpAfter(Duration.ofMillis(300))
                    .needsThawRetryInterval(Duration.ofMillis(100)));
    FakeGuestAgent agent = fixture.agent();
    agent.script(Command.THAW, Collections.nCopies(1000, Step.noEffect()).toArray(Step[]::new));
    FreezeSession session = fixture.engine.freeze(VM, FIVE_SECONDS);

    assertThatThrownBy(session::thaw).isInstanceOf(ThawNotConfirmedException.class);

    assertThat(fixture.engine.guestsNeedingThaw()).containsExactly(VM);
    assertThat(fixture.scraped("quiesce_helper_thaw_giveups_total")).isEqualTo(1.0);
    assertThat(fixture.scraped("quiesce_helper_needs_thaw_guests")).isEqualTo(1.0);
    assertThat(fixture.scraped("quiesce_helper_frozen_guests")).isEqualTo(1.0);
    assertThat(fixture.scraped("quiesce_helper_freeze_outcomes_total{reason=\"ThawNotConfirmed\"}"))
        .isEqualTo(1.0);
    assertThatThrownBy(() -> fixture.engine.freeze(VM, FIVE_SECONDS))
        .as("a guest whose thaw is pending cannot be frozen again")
        .isInstanceOf(FreezeInProgressException.class);
    long thawsAtGiveUp = agent.count(Command.THAW);

    agent.clearScript();

    await().atMost(Duration.ofSeconds(5)).until(() -> fixture.engine.guestsNeedingThaw().isEmpty());
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(agent.count(Command.THAW)).isGreaterThan(thawsAtGiveUp);
    assertThat(fixture.scraped("quiesce_helper_needs_thaw_guests")).isEqualTo(0.0);
    assertThat(fixture.scraped("quiesce_helper_frozen_guests")).isEqualTo(0.0);
    fixture.engine.freeze(VM, FIVE_SECONDS).thaw();
  }
}
