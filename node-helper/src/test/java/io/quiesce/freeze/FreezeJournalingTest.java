package io.quiesce.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.freeze.FakeGuestAgent.Command;
import io.quiesce.freeze.FakeGuestAgent.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of the freeze journal, with FAKE agents and an in-memory recorder: a freeze is
 * written down before it is made and forgotten only once its thaw is confirmed; start-up thaws only
 * recorded guests; a thaw of a guest that left the node is handed off instead of retried forever.
 */
class FreezeJournalingTest {
  private static final GuestRef VM = new GuestRef("ns", "vm");

  private final FakeAgentConnector agents = new FakeAgentConnector();
  private final AtomicReference<Reroute> whereabouts = new AtomicReference<>(Reroute.UNCHANGED);
  private final AtomicInteger opens = new AtomicInteger();
  private final MemoryRecorder recorder = new MemoryRecorder();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final FreezeEngine engine =
      FreezeEngine.create(
          new AgentConnector() {
            @Override
            public GuestAgent open(GuestRef guest) {
              opens.incrementAndGet();
              return agents.open(guest);
            }

            @Override
            public Reroute reroute(GuestRef guest) {
              return whereabouts.get();
            }
          },
          FreezeEngineConfig.builder()
              .callTimeout(Duration.ofMillis(500))
              .thawBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(80)))
              // a hand-off must not wait for it
              .thawGiveUpAfter(Duration.ofSeconds(3))
              .needsThawRetryInterval(Duration.ofMillis(100))
              .recoveryThawTimeout(Duration.ofSeconds(1))
              .build(),
          registry,
          Clock.systemUTC(),
          scheduler,
          workers);

  {
    engine.recordFreezesWith(recorder);
  }

  @AfterEach
  void stop() {
    engine.shutdown(Duration.ofSeconds(2));
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

  @Test
  void aFreezeIsRecordedBeforeItIsMadeAndForgottenOnceItsThawIsConfirmed() {
    FakeGuestAgent agent = agents.agent(VM);
    List<FreezeState> stateWhenRecorded = new CopyOnWriteArrayList<>();
    recorder.onFreezing = guest -> stateWhenRecorded.add(agents.agent(guest).state());

    FreezeSession session = engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5)));
    assertThat(stateWhenRecorded)
        .as("recorded while the guest was not frozen yet")
        .containsExactly(FreezeState.THAWED);
    assertThat(recorder.entries).containsOnlyKeys(VM);
    assertThat(recorder.entries.get(VM))
        .isBetween(Instant.now().plusSeconds(3), Instant.now().plusSeconds(6));
    assertThat(agent.state()).isEqualTo(FreezeState.FROZEN);

    session.thaw();
    assertThat(recorder.entries).isEmpty();
  }

  @Test
  void aFreezeThatCannotBeRecordedIsNotMade() {
    recorder.onFreezing =
        guest -> {
          throw new IllegalStateException("disk full");
        };

    assertThatThrownBy(() -> engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5))))
        .isInstanceOf(FreezeFailedException.class)
        .satisfies(e -> assertThat(((FreezeException) e).reason()).isEqualTo("JournalWriteFailed"))
        .hasMessageContaining("disk full");
    assertThat(agents.agent(VM).count(Command.FREEZE)).isZero();
    assertThat(engine.guestsFrozen()).isEmpty();
  }

  @Test
  void anUnconfirmedThawKeepsTheRecordUntilTheGuestIsThawed() {
    FakeGuestAgent agent = agents.agent(VM);
    FreezeSession session = engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5)));
    agent.script(Command.THAW, Step.fail("AgentTimeout"));
    agent.unreachable(true);

    assertThatThrownBy(session::thaw).isInstanceOf(ThawNotConfirmedException.class);
    assertThat(recorder.entries).containsOnlyKeys(VM);

    agent.unreachable(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.entries.isEmpty());
    assertThat(agent.state()).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void theSurveyReportsAFreezeNotOursAndLeavesItAlone() {
    FakeGuestAgent foreign = agents.agent(VM).frozenAlready();

    RecoveryReport report = engine.survey(new StaticGuestInventory(List.of(VM)));

    assertThat(report.guests())
        .singleElement()
        .satisfies(g -> assertThat(g.action()).isEqualTo(RecoveryAction.FROZEN_NOT_OURS));
    assertThat(foreign.state()).isEqualTo(FreezeState.FROZEN);
    assertThat(foreign.count(Command.THAW)).isZero();
    assertThat(scraped("quiesce_helper_foreign_freezes_total")).isEqualTo(1.0);
  }

  @Test
  void aFreezeFindingTheGuestFrozenBySomeoneElseLeavesItFrozen() {
    FakeGuestAgent foreign = agents.agent(VM).frozenAlready();

    assertThatThrownBy(() -> engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5))))
        .isInstanceOf(FreezeFailedException.class)
        .satisfies(e -> assertThat(((FreezeException) e).reason()).isEqualTo("FrozenByOther"));
    assertThat(foreign.state()).isEqualTo(FreezeState.FROZEN);
    assertThat(foreign.count(Command.THAW)).isZero();
    assertThat(recorder.entries).isEmpty();
    assertThat(engine.guestsFrozen()).isEmpty();
  }

  @Test
  void recordedGuestsAreThawedAndForgottenAndAnUnreachableOneIsRetried() {
    GuestRef reachable = new GuestRef("ns", "reachable");
    GuestRef gone = new GuestRef("ns", "socket-missing-now");
    agents.agent(reachable).frozenAlready();
    FakeGuestAgent later = agents.agent(gone).frozenAlready().unreachable(true);
    recorder.entries.put(reachable, Instant.now());
    recorder.entries.put(gone, Instant.now());

    RecoveryReport report =
        engine.recoverRecorded(new StaticGuestInventory(List.of(reachable, gone)));

    assertThat(report.guests())
        .extracting(GuestRecovery::action)
        .containsExactly(RecoveryAction.THAWED, RecoveryAction.UNREACHABLE);
    assertThat(agents.agent(reachable).state()).isEqualTo(FreezeState.THAWED);
    assertThat(recorder.entries).containsOnlyKeys(gone);
    assertThat(engine.guestsNeedingThaw()).containsExactly(gone);

    later.unreachable(false);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                later.state() == FreezeState.THAWED
                    && recorder.entries.isEmpty()
                    && engine.guestsNeedingThaw().isEmpty());
  }

  @Test
  void aGuestThatLeftTheNodeIsHandedOffAtOnceInsteadOfRetriedForever() {
    FakeGuestAgent agent = agents.agent(VM);
    FreezeSession session = engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5)));
    // migrated while frozen: the old socket leads nowhere, the VMI is on another node now
    agent.script(Command.THAW, Step.fail("AgentTimeout"));
    agent.unreachable(true);
    whereabouts.set(new Reroute(Reroute.Outcome.LEFT_NODE, "now on node node02"));
    Instant asked = Instant.now();

    assertThatThrownBy(session::thaw)
        .isInstanceOf(ThawNotConfirmedException.class)
        .hasMessageContaining("now on node node02")
        .hasMessageContaining("left to the operator");
    assertThat(Duration.between(asked, Instant.now()))
        .as("not the 3 s of retries")
        .isLessThan(Duration.ofSeconds(1));
    assertThat(engine.guestsNeedingThaw()).isEmpty();
    assertThat(engine.guestsFrozen()).isEmpty();
    assertThat(recorder.entries).isEmpty();
    int opened = opens.get();
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> opens.get() == opened);
    assertThat(scraped("quiesce_helper_thaw_handoffs_total")).isEqualTo(1.0);
  }

  private double scraped(String series) {
    for (String line : registry.scrape().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  /** The journal's contract in memory: guest to deadline. */
  private static final class MemoryRecorder implements FreezeRecorder {
    final Map<GuestRef, Instant> entries = new ConcurrentHashMap<>();
    volatile java.util.function.Consumer<GuestRef> onFreezing = guest -> {};

    @Override
    public void freezing(GuestRef guest, Instant deadline) {
      onFreezing.accept(guest);
      entries.put(guest, deadline);
    }

    @Override
    public void forget(GuestRef guest) {
      entries.remove(guest);
    }
  }
}
