package io.quiesce.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.AgentException;
import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaSettings;
import io.quiesce.freeze.AgentConnector;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.freeze.FreezeEngineConfig;
import io.quiesce.freeze.FreezeOptions;
import io.quiesce.freeze.FreezeSession;
import io.quiesce.freeze.FreezeWindow;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.freeze.RecoveryReport;
import io.quiesce.freeze.StaticGuestInventory;
import io.quiesce.freeze.ThawedBy;
import io.quiesce.testkit.guest.GuestKnob;
import io.quiesce.testkit.guest.Processes;
import io.quiesce.testkit.libvirt.LibvirtGuest;
import io.quiesce.testkit.libvirt.RealLibvirtGuest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The freeze engine's guarantees (watchdog, start-up recovery) hold on the libvirt channel, and the
 * channel fails typed and recovers when the daemon hangs or dies mid-call.
 */
@RealLibvirtGuest
class LibvirtFreezeEngineRealDaemonTest {
  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);
  private static final GuestRef REF = new GuestRef("test", "libvirt");

  private static AgentConnector libvirt(LibvirtGuest guest) {
    return g -> LibvirtAgent.open(guest.daemonSocket(), guest.domain(), QgaSettings.defaults());
  }

  private static FreezeState statusOf(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(QgaSettings.defaults())) {
      return agent.freezeStatus();
    }
  }

  private static FreezeEngine engine(LibvirtGuest guest) {
    return FreezeEngine.create(
        libvirt(guest), FreezeEngineConfig.builder().build(), new SimpleMeterRegistry());
  }

  @Test
  void theWatchdogThawsThroughLibvirtWhenTheCallerNeverThaws(LibvirtGuest guest) {
    Duration timeout = Duration.ofMillis(1500);
    try (FreezeEngine engine = engine(guest)) {
      guest.console().awaitWriterAdvance(WRITER_TIMEOUT);
      Instant beforeFreeze = Instant.now();
      FreezeSession session = engine.freeze(REF, FreezeOptions.allFilesystems(timeout));
      assertThat(session.filesystemsFrozen()).isEqualTo(1);
      assertThat(statusOf(guest)).isEqualTo(FreezeState.FROZEN);

      await().atMost(Duration.ofSeconds(15)).until(() -> engine.guestsFrozen().isEmpty());
      FreezeWindow window = session.thaw();

      assertThat(window.thawedBy()).isEqualTo(ThawedBy.WATCHDOG);
      // the deadline counts from before the freeze is sent, the window from its reply: the
      // watchdog never thaws before the deadline, and thaws within a second of it
      assertThat(window.end()).isAfterOrEqualTo(beforeFreeze.plus(timeout));
      assertThat(window.durationMs()).isBetween(1L, timeout.toMillis() + 1000);
      System.out.printf(
          "[figure] libvirt watchdog: frozen %d ms for a deadline of %d ms%n",
          window.durationMs(), timeout.toMillis());
    }
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
    guest.console().awaitWriterAdvance(WRITER_TIMEOUT);
  }

  @Test
  void startUpRecoveryThawsAGuestLeftFrozenThroughLibvirt(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(QgaSettings.defaults())) {
      assertThat(agent.freeze(List.of())).isEqualTo(1); // a helper that died here left it frozen
    }
    RecoveryReport report;
    try (FreezeEngine engine = engine(guest)) {
      report = engine.recover(new StaticGuestInventory(List.of(REF)));
    }
    assertThat(report.guests())
        .singleElement()
        .satisfies(g -> assertThat(g.action()).isEqualTo(RecoveryAction.THAWED));
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void aHungDaemonTimesOutTypedAndTheSameChannelWorksOnceItResumes(LibvirtGuest guest) {
    Duration timeout = Duration.ofSeconds(1);
    QgaSettings quick = QgaSettings.defaults().withCommandTimeout(timeout).withSyncTimeout(timeout);
    try (GuestAgent agent = guest.agent(quick)) {
      agent.ping();
      signal(guest, "STOP");
      try {
        long start = System.nanoTime();
        assertThatThrownBy(agent::ping)
            .isInstanceOf(AgentNotRespondingException.class)
            .satisfies(
                e ->
                    assertThat(((AgentNotRespondingException) e).phase())
                        .isEqualTo(AgentNotRespondingException.Phase.COMMAND));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.plusSeconds(1));
      } finally {
        signal(guest, "CONT");
      }
      agent.ping();
      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }

  @Test
  void aDaemonKilledMidFreezeFailsTypedAndRecoveryThawsOnceItIsBack(LibvirtGuest guest)
      throws Exception {
    guest.setKnob(GuestKnob.SLOW_FREEZE_HOOK, "3");
    long mark = guest.console().mark();
    GuestAgent agent = guest.agent(QgaSettings.defaults());
    try {
      CompletableFuture<Integer> freeze =
          CompletableFuture.supplyAsync(() -> agent.freeze(List.of()));
      await("the guest's freeze hook runs")
          .atMost(Duration.ofSeconds(15))
          .until(() -> guest.console().since(mark).contains("HOOK freeze"));
      guest.killDaemon();
      long killed = System.nanoTime();

      assertThatThrownBy(() -> freeze.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(AgentUnavailableException.class)
          .hasMessageContaining("lost");
      assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(2));
      assertThatThrownBy(agent::ping).as("no daemon: typed").isInstanceOf(AgentException.class);
    } finally {
      agent.close();
      guest.startDaemon();
    }
    // the agent froze the guest after the hook although nobody got its answer
    await("the guest is frozen")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptionsInstanceOf(AgentException.class)
        .until(() -> statusOf(guest) == FreezeState.FROZEN);
    RecoveryReport report;
    try (FreezeEngine engine = engine(guest)) {
      report = engine.recover(new StaticGuestInventory(List.of(REF)));
    }
    assertThat(report.guests())
        .singleElement()
        .satisfies(g -> assertThat(g.action()).isEqualTo(RecoveryAction.THAWED));
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
    guest.console().awaitWriterAdvance(WRITER_TIMEOUT);
  }

  private static void signal(LibvirtGuest guest, String signal) {
    var r =
        Processes.run(
            Duration.ofSeconds(5),
            Map.of(),
            List.of("kill", "-" + signal, Long.toString(guest.daemonPid())));
    assertThat(r.succeeded()).as("kill -%s: %s", signal, r.output()).isTrue();
  }
}
