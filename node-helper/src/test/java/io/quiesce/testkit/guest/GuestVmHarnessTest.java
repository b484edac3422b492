package io.quiesce.testkit.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness's own promises, checked on the shared guest. */
@RealGuest
class GuestVmHarnessTest {

  private static final Duration SLOW_HOOK = Duration.ofSeconds(2);

  @Test
  void ensureThawedThawsAFrozenGuestAndSaysSo(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      assertThat(client.freeze(List.of())).isEqualTo(1);
    }
    assertThat(guest.ensureThawed(Duration.ofSeconds(10))).isTrue();
    assertThat(guest.ensureThawed(Duration.ofSeconds(10))).isFalse();
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }

  @Test
  void aKnobReachesTheGuestAndClearKnobsDisarmsIt(GuestVm guest) {
    guest.setKnob(GuestKnob.SLOW_FREEZE_HOOK, String.valueOf(SLOW_HOOK.toSeconds()));
    assertThat(timedFreezeAndThaw(guest)).isGreaterThanOrEqualTo(SLOW_HOOK);

    guest.setKnob(GuestKnob.SLOW_FREEZE_HOOK, String.valueOf(SLOW_HOOK.toSeconds()));
    guest.clearKnobs();
    assertThat(timedFreezeAndThaw(guest)).isLessThan(SLOW_HOOK);
  }

  @Test
  void knobValuesAreNumbersOnly(GuestVm guest) {
    assertThatThrownBy(() -> guest.setKnob(GuestKnob.KILL_AGENT_IN, "1; reboot"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writerProgressComesFromTheConsole(GuestVm guest) {
    WriterProgress before = guest.writerProgress();
    WriterProgress after = guest.awaitWriterAdvance(Duration.ofSeconds(30));
    assertThat(after.iteration()).isGreaterThan(before.iteration());
    assertThat(after.uptimeSeconds()).isGreaterThanOrEqualTo(before.uptimeSeconds());
    assertThat(guest.awaitFreshGuestUptime(Duration.ofSeconds(10)))
        .isGreaterThanOrEqualTo(after.uptimeSeconds() - 1.0);
  }

  private static Duration timedFreezeAndThaw(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      long t0 = System.nanoTime();
      int frozen = client.freeze(List.of());
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(client.thaw()).isEqualTo(frozen);
      return took;
    }
  }
}
