package io.quiesce.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.AlreadyFrozenException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import io.quiesce.testkit.guest.DiskImages;
import io.quiesce.testkit.guest.GuestConsole;
import io.quiesce.testkit.guest.ProcessResult;
import io.quiesce.testkit.guest.WriterProgress;
import io.quiesce.testkit.libvirt.LibvirtGuest;
import io.quiesce.testkit.libvirt.RealLibvirtGuest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libvirt channel against a real libvirt daemon that holds the real agent's socket. */
@RealLibvirtGuest
class LibvirtAgentRealDaemonTest {
  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);
  private static final QgaSettings SETTINGS = QgaSettings.defaults();

  @Test
  void freezeAndThawThroughLibvirtStallTheWriterExactlyWhileFrozen(LibvirtGuest guest) {
    GuestConsole console = guest.console();
    try (GuestAgent agent = guest.agent(SETTINGS)) {
      console.awaitWriterAdvance(WRITER_TIMEOUT);
      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);

      assertThat(agent.freeze(List.of())).isEqualTo(1);
      WriterProgress atFreeze;
      try {
        assertThat(agent.freezeStatus()).isEqualTo(FreezeState.FROZEN);
        double frozenAt = console.awaitFreshGuestUptime(Duration.ofSeconds(5));
        atFreeze = console.writerProgress();
        console.awaitGuestUptime(frozenAt + 1.5, Duration.ofSeconds(8));
        assertThat(console.writerProgress()).as("writer while frozen").isEqualTo(atFreeze);
      } finally {
        assertThat(agent.thaw()).isEqualTo(1);
      }

      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
      assertThat(console.awaitWriterAdvance(WRITER_TIMEOUT).iteration())
          .isGreaterThan(atFreeze.iteration());
    }
  }

  @Test
  void aDiskCopyTakenWhileFrozenThroughLibvirtIsClean(LibvirtGuest guest, @TempDir Path dir) {
    Path copy = dir.resolve("frozen-copy.img");
    try (GuestAgent agent = guest.agent(SETTINGS)) {
      guest.console().awaitWriterAdvance(WRITER_TIMEOUT);
      assertThat(agent.freeze(List.of())).isEqualTo(1);
      try {
        guest.copyDataDisk(copy);
      } finally {
        agent.thaw();
      }
    }
    ProcessResult fsck = DiskImages.e2fsck(copy);
    assertThat(fsck.succeeded()).as("e2fsck -fn of the frozen copy:\n%s", fsck.output()).isTrue();
    assertThat(DiskImages.readFile(copy, "/journal.log")).as("the writer had written").isNotBlank();
  }

  @Test
  void aMountpointListFreezeFreezesThoseAndTheThawThawsAll(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(SETTINGS)) {
      assertThat(agent.freeze(List.of("/data"))).isEqualTo(1);
      try {
        assertThat(agent.freezeStatus()).isEqualTo(FreezeState.FROZEN);
      } finally {
        assertThat(agent.thaw()).isEqualTo(1);
      }
      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }

  @Test
  void aFreezeWhileFrozenIsAlreadyFrozen(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(SETTINGS)) {
      agent.freeze(List.of());
      try {
        assertThatThrownBy(() -> agent.freeze(List.of()))
            .isInstanceOf(AlreadyFrozenException.class)
            .hasMessageContaining("frozen state");
        assertThat(agent.freezeStatus())
            .as("the refused freeze changed nothing")
            .isEqualTo(FreezeState.FROZEN);
      } finally {
        agent.thaw();
      }
    }
  }

  @Test
  void pingInfoAndFsinfoAreTheAgentsAnswers(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(SETTINGS)) {
      agent.ping();
      assertThat(agent.info().supports(QgaClient.FREEZE)).isTrue();
      assertThat(agent.filesystems())
          .singleElement()
          .satisfies(
              fs -> {
                assertThat(fs.mountpoint()).isEqualTo("/data");
                assertThat(fs.type()).isEqualTo("ext4");
              });
    }
  }

  @Test
  void whileLibvirtHoldsTheAgentADirectQgaClientTimesOutWithATypedFailure(LibvirtGuest guest) {
    Duration timeout = Duration.ofMillis(800);
    QgaSettings quick =
        QgaSettings.defaults()
            .withConnectTimeout(timeout)
            .withSyncTimeout(timeout)
            .withCommandTimeout(timeout);
    long start = System.nanoTime();
    try (QgaClient direct = new QgaClient(guest.agentSocket(), quick)) {
      assertThatThrownBy(direct::ping)
          .isInstanceOf(AgentNotRespondingException.class)
          .satisfies(
              e ->
                  assertThat(((AgentNotRespondingException) e).phase())
                      .isIn(
                          AgentNotRespondingException.Phase.CONNECT,
                          AgentNotRespondingException.Phase.SYNC));
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(timeout.multipliedBy(2).plusSeconds(1));
    try (GuestAgent agent = guest.agent(SETTINGS)) {
      agent.ping(); // libvirt's own connection to the agent is untouched
    }
  }

  @Test
  void aGuestWhoseAgentIsNotConnectedFailsTyped(LibvirtGuest guest) {
    try (GuestAgent agent =
        LibvirtAgent.open(guest.daemonSocket(), guest.noAgentDomain(), SETTINGS)) {
      assertThatThrownBy(() -> agent.freeze(List.of()))
          .isInstanceOf(AgentUnavailableException.class)
          .hasMessageContaining("not connected");
      assertThatThrownBy(agent::freezeStatus)
          .isInstanceOf(AgentUnavailableException.class)
          .hasMessageContaining("not connected");
    }
  }

  @Test
  void anUnknownDomainFailsTyped(LibvirtGuest guest) {
    try (GuestAgent agent =
        LibvirtAgent.open(guest.daemonSocket(), "default_no-such-vmi", SETTINGS)) {
      assertThatThrownBy(agent::ping)
          .isInstanceOf(AgentUnavailableException.class)
          .hasMessageContaining("no-such-vmi");
    }
  }

  @Test
  void aDaemonSocketPathLongerThanAUnixAddressIsReached(LibvirtGuest guest, @TempDir Path dir)
      throws IOException {
    // the shape of KubeVirt's path on the node; a hard link is the same socket under a second, long
    // name,
    // as the pod's emptyDir is on the node
    Path podDir =
        Files.createDirectories(
            dir.resolve(
                "pods/0f3c7a52-9d1e-4b6a-8c2f-5e4d3b2a1f00/volumes/"
                    + "kubernetes.io~empty-dir/libvirt-runtime"));
    Path longSocket = Files.createLink(podDir.resolve("virtqemud-sock"), guest.daemonSocket());
    assertThat(longSocket.toString().getBytes(StandardCharsets.UTF_8).length)
        .isGreaterThan(ShortSocketPath.MAX_ADDRESS_BYTES);
    try (GuestAgent agent = LibvirtAgent.open(longSocket, guest.domain(), SETTINGS)) {
      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
    try (var leftovers = Files.list(Path.of("/tmp"))) {
      assertThat(
              leftovers
                  .filter(p -> p.getFileName().toString().startsWith("qsock"))
                  .filter(p -> Files.isSymbolicLink(p.resolve("s"))))
          .as("the short links are removed")
          .isEmpty();
    }
  }

  /**
   * The domain identity check against the REAL daemon: its domain's UUID as virsh reports it is
   * accepted (the wire bytes are read in the right order), any other is refused before any agent
   * command reaches the guest.
   */
  @Test
  void theDomainsUuidIsCheckedOnEveryConnection(LibvirtGuest guest) throws Exception {
    Process virsh =
        new ProcessBuilder(
                "virsh",
                "-c",
                "qemu:///session?socket=" + guest.daemonSocket(),
                "domuuid",
                guest.domain())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(virsh.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .strip();
    assertThat(virsh.waitFor()).as(out).isZero();
    java.util.UUID real = java.util.UUID.fromString(out);
    try (LibvirtAgent own =
        new LibvirtAgent(guest.daemonSocket(), new LibvirtDomain(guest.domain(), real), SETTINGS)) {
      own.ping();
    }
    long mark = guest.daemonLogMark();
    java.util.UUID other =
        new java.util.UUID(real.getMostSignificantBits(), ~real.getLeastSignificantBits());
    try (LibvirtAgent notOwn =
        new LibvirtAgent(
            guest.daemonSocket(), new LibvirtDomain(guest.domain(), other), SETTINGS)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(notOwn::freezeStatus)
          .isInstanceOf(SocketIdentityMismatchException.class)
          .hasMessageContaining(real.toString());
    }
    assertThat(guest.agentCommandsSince(mark)).as("nothing reached the guest").isEmpty();
  }
}
