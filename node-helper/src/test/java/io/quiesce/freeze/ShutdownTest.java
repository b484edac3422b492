package io.quiesce.freeze;

import static io.quiesce.freeze.EngineFixture.OTHER_VM;
import static io.quiesce.freeze.EngineFixture.VM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiesce.agent.FreezeState;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** On shutdown the engine thaws everything it froze, within the grace time. */
class ShutdownTest {
  private static final FreezeOptions TEN_SECONDS =
      FreezeOptions.allFilesystems(Duration.ofSeconds(10));

  private final EngineFixture fixture = new EngineFixture();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void thawsEveryLiveFreezeAndRefusesNewOnes() {
    FreezeSession first = fixture.engine.freeze(VM, TEN_SECONDS);
    FreezeSession second = fixture.engine.freeze(OTHER_VM, TEN_SECONDS);

    assertThat(fixture.engine.shutdown(Duration.ofSeconds(3))).isEmpty();

    assertThat(fixture.agents.agent(VM).state()).isEqualTo(FreezeState.THAWED);
    assertThat(fixture.agents.agent(OTHER_VM).state()).isEqualTo(FreezeState.THAWED);
    assertThat(first.thaw().thawedBy()).isEqualTo(ThawedBy.SHUTDOWN);
    assertThat(second.thaw().thawedBy()).isEqualTo(ThawedBy.SHUTDOWN);
    assertThatThrownBy(() -> fixture.engine.freeze(VM, TEN_SECONDS))
        .isInstanceOf(FreezeException.class)
        .extracting(e -> ((FreezeException) e).reason())
        .isEqualTo("ShuttingDown");
  }

  @Test
  void abortsACallerStuckInAFreezeCallAndThawsLongBeforeItsDeadline() throws Exception {
    FakeGuestAgent agent = fixture.agent();
    agent.script(Command.FREEZE, Step.applyThenHang());
    CompletableFuture<FreezeSession> stuck =
        CompletableFuture.supplyAsync(() -> fixture.engine.freeze(VM, TEN_SECONDS));
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.state() == FreezeState.FROZEN);

    assertThat(fixture.engine.shutdown(Duration.ofSeconds(3))).isEmpty();

    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
    assertThat(agent.lastFrozenFor()).isLessThan(Duration.ofSeconds(5));
    assertThatThrownBy(() -> stuck.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(FreezeFailedException.class);
  }

  @Test
  void returnsTheGuestsItCouldNotThawWithinTheGrace() {
    FakeGuestAgent agent = fixture.agent();
    agent.script(Command.THAW, Collections.nCopies(1000, Step.noEffect()).toArray(Step[]::new));
    fixture.engine.freeze(VM, TEN_SECONDS);

    long before = System.nanoTime();
    assertThat(fixture.engine.shutdown(Duration.ofMillis(300))).containsExactly(VM);
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
  }
}
