package io.quiesce.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.quiesce.testkit.guest.GuestKnob;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * QgaClient against the real agent when the agent dies, hangs in a hook, or is held by another
 * client.
 */
@RealGuest
class QgaClientRecoveryRealAgentTest {

  /** Grace on top of a timeout for an assertion that a call ended "within its timeout". */
  private static final Duration SLACK = Duration.ofSeconds(2);

  private static final Duration RECOVERY = Duration.ofSeconds(30);

  @Test
  void agentKilledDuringAFreezeTimesOutAndTheNextCallResyncs(GuestVm guest) {
    Duration freezeTimeout = Duration.ofSeconds(3);
    // the hook keeps the freeze request in flight while the guest kills the agent under it
    guest.setKnob(GuestKnob.SLOW_FREEZE_HOOK, "4");
    guest.setKnob(GuestKnob.KILL_AGENT_IN, "1");
    long mark = guest.consoleMark();
    try (QgaClient client =
        new QgaClient(
            guest.agentSocket(), QgaSettings.defaults().withFreezeTimeout(freezeTimeout))) {
      client.ping(); // connect + sync now, so the freeze below is the only thing in flight

      AgentNotRespondingException timeout =
          assertTimeoutPreemptively(
              freezeTimeout.plus(SLACK),
              () ->
                  catchThrowableOfType(
                      AgentNotRespondingException.class, () -> client.freeze(List.of())));
      assertThat(timeout).isNotNull();
      assertThat(timeout.phase()).isEqualTo(AgentNotRespondingException.Phase.COMMAND);
      assertThat(guest.consoleSince(mark)).contains("CTL killing qemu-ga");

      // the same client: resync on its connection and answer once the supervisor restarted the
      // agent
      AtomicReference<FreezeState> state = new AtomicReference<>();
      await("client recovers after the agent restart")
          .atMost(RECOVERY)
          .ignoreExceptionsInstanceOf(AgentNotRespondingException.class)
          .until(
              () -> {
                state.set(client.freezeStatus());
                return true;
              });
      // killed inside the hook, before it froze anything
      assertThat(state.get()).isEqualTo(FreezeState.THAWED);
      client.ping();
    }
    assertThat(guest.consoleSince(mark)).contains("QGA-START");
  }

  @Test
  void freezeHookSlowerThanTheTimeoutTimesOutThenTheTrueStateIsFrozen(GuestVm guest) {
    Duration freezeTimeout = Duration.ofSeconds(2);
    guest.setKnob(GuestKnob.SLOW_FREEZE_HOOK, "5");
    try (QgaClient client =
        new QgaClient(
            guest.agentSocket(), QgaSettings.defaults().withFreezeTimeout(freezeTimeout))) {
      client.ping();
      AgentNotRespondingException timeout =
          assertTimeoutPreemptively(
              freezeTimeout.plus(SLACK),
              () ->
                  catchThrowableOfType(
                      AgentNotRespondingException.class, () -> client.freeze(List.of())));
      assertThat(timeout).isNotNull();
      assertThat(timeout.phase()).isEqualTo(AgentNotRespondingException.Phase.COMMAND);

      // the agent finishes the hook, then freezes: the resync discards the late freeze reply
      AtomicReference<FreezeState> state = new AtomicReference<>();
      await("agent answers after its slow hook")
          .atMost(RECOVERY)
          .ignoreExceptionsInstanceOf(AgentNotRespondingException.class)
          .until(
              () -> {
                state.set(client.freezeStatus());
                return true;
              });
      try {
        assertThat(state.get()).isEqualTo(FreezeState.FROZEN);
      } finally {
        assertThat(client.thaw()).isEqualTo(1);
      }
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }

  @Test
  void connectToAHeldAndCrowdedAgentSocketTimesOutThenRecovers(GuestVm guest) throws IOException {
    Duration connectTimeout = Duration.ofSeconds(1);
    try (QgaClient holder = new QgaClient(guest.agentSocket())) {
      holder.ping();
      try (CrowdedSocket crowd = CrowdedSocket.fill(guest.agentSocket());
          QgaClient late =
              new QgaClient(
                  guest.agentSocket(), QgaSettings.defaults().withConnectTimeout(connectTimeout))) {
        // QEMU queues only 2 connections while it serves one; a blocking connect() then waits
        assertThat(crowd.queued()).isEqualTo(2);
        AgentNotRespondingException timeout =
            assertTimeoutPreemptively(
                connectTimeout.plus(SLACK),
                () -> catchThrowableOfType(AgentNotRespondingException.class, late::ping));
        assertThat(timeout).isNotNull();
        assertThat(timeout.phase()).isEqualTo(AgentNotRespondingException.Phase.CONNECT);
      }
      holder.ping();
    }
    // QEMU now accepts the abandoned queued connections one by one, finds them closed, and listens
    // again
    await("agent socket serves new clients")
        .atMost(RECOVERY)
        .ignoreExceptionsInstanceOf(AgentNotRespondingException.class)
        .until(
            () -> {
              try (QgaClient fresh = new QgaClient(guest.agentSocket())) {
                return fresh.freezeStatus() == FreezeState.THAWED;
              }
            });
  }

  @Test
  void secondClientTimesOutWhileTheFirstHoldsTheSocket(GuestVm guest) {
    Duration syncTimeout = Duration.ofMillis(1500);
    try (QgaClient first = new QgaClient(guest.agentSocket())) {
      first.ping();
      long started = System.nanoTime();
      try (QgaClient second =
          new QgaClient(guest.agentSocket(), QgaSettings.defaults().withSyncTimeout(syncTimeout))) {
        AgentNotRespondingException timeout =
            assertTimeoutPreemptively(
                syncTimeout.plus(SLACK),
                () -> catchThrowableOfType(AgentNotRespondingException.class, second::ping));
        assertThat(timeout).isNotNull();
        // connect() succeeds (QEMU queues it); the handshake is what never gets an answer
        assertThat(timeout.phase()).isEqualTo(AgentNotRespondingException.Phase.SYNC);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(syncTimeout);

      first.ping();
      assertThat(first.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }
}
