package io.quiesce.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.guest.WriterProgress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * QgaClient against the real qemu-guest-agent: the commands and what freezing does to the guest.
 */
@RealGuest
class QgaClientRealAgentTest {

  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void reportsAgentInfoAndTheDataFilesystem(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      client.ping();
      GuestInfo info = client.info();
      assertThat(info.version()).matches("\\d+\\.\\d+.*");
      assertThat(info.supports("guest-fsfreeze-freeze")).isTrue();
      assertThat(info.supports("guest-fsfreeze-freeze-list")).isTrue();
      assertThat(info.supports("guest-no-such-command")).isFalse();
      assertThat(client.filesystems())
          .filteredOn(fs -> fs.mountpoint().equals("/data"))
          .singleElement()
          .satisfies(
              fs -> {
                assertThat(fs.type()).isEqualTo("ext4");
                assertThat(fs.name()).isEqualTo("vda");
                // this initramfs has no udev, so the agent knows the device but not its serial
                assertThat(fs.disks()).containsExactly("/dev/vda");
              });
    }
  }

  @Test
  void freezeStopsTheWriterUntilTheThaw(GuestVm guest) {
    guest.awaitWriterAdvance(
        WRITER_TIMEOUT); // the writer is alive, so "no progress" below means something
    WriterProgress atFreeze;
    int thawed;
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      assertThat(client.freeze(List.of())).isEqualTo(1);
      try {
        assertThat(client.freezeStatus()).isEqualTo(FreezeState.FROZEN);
        double frozenAt = guest.awaitFreshGuestUptime(Duration.ofSeconds(10));
        atFreeze = guest.writerProgress();
        double until = guest.awaitGuestUptime(frozenAt + 3.0, Duration.ofSeconds(30));
        assertThat(guest.writerProgress())
            .as("writer while frozen, from guest uptime %.2f to %.2f", frozenAt, until)
            .isEqualTo(atFreeze);
      } finally {
        thawed = client.thaw();
      }
      assertThat(thawed).isEqualTo(1);
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
    assertThat(guest.awaitWriterAdvance(WRITER_TIMEOUT).iteration())
        .isGreaterThan(atFreeze.iteration());
  }

  @Test
  void secondFreezeIsRefusedAsAlreadyFrozenAndTheGuestStaysFrozen(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      assertThat(client.freeze(List.of())).isEqualTo(1);
      int thawed;
      try {
        assertThatThrownBy(() -> client.freeze(List.of()))
            .isInstanceOf(AlreadyFrozenException.class)
            .extracting(e -> ((AgentException) e).reason())
            .isEqualTo("AlreadyFrozen");
        assertThatThrownBy(() -> client.freeze(List.of("/data")))
            .isInstanceOf(AlreadyFrozenException.class);
        assertThat(client.freezeStatus()).isEqualTo(FreezeState.FROZEN);
      } finally {
        thawed = client.thaw();
      }
      assertThat(thawed).isEqualTo(1);
    }
  }

  @Test
  void thawWhileThawedReturnsZero(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
      assertThat(client.thaw()).isZero();
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }

  @Test
  void freezeListFreezesTheNamedMountpoint(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      int thawed;
      assertThat(client.freeze(List.of("/data"))).isEqualTo(1);
      try {
        assertThat(client.freezeStatus()).isEqualTo(FreezeState.FROZEN);
      } finally {
        thawed = client.thaw();
      }
      assertThat(thawed).isEqualTo(1);
    }
  }
}
