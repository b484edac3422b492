package io.quiesce.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.AgentProtocolException;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Framing, serials, bounds and timeouts of the libvirt client, against a FAKE daemon. */
class LibvirtAgentFakeDaemonTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final QgaSettings QUICK =
      QgaSettings.defaults()
          .withConnectTimeout(TIMEOUT)
          .withSyncTimeout(TIMEOUT)
          .withCommandTimeout(TIMEOUT)
          .withFreezeTimeout(TIMEOUT)
          .withThawTimeout(TIMEOUT);

  @TempDir Path dir;
  private FakeLibvirtDaemon daemon;
  private LibvirtAgent agent;

  @BeforeEach
  void start() throws IOException {
    daemon = new FakeLibvirtDaemon(dir);
    agent = new LibvirtAgent(daemon.socket(), "default_vm", QUICK);
  }

  @AfterEach
  void stop() throws IOException {
    agent.close();
    daemon.close();
  }

  private List<Integer> procedures() {
    return daemon.received().stream().map(PacketHeader::procedure).toList();
  }

  @Test
  void opensWithAuthListThenOpenThenLookupAndClosesTheConnection() {
    daemon.agentResult("{\"return\":\"frozen\"}");
    assertThat(agent.freezeStatus()).isEqualTo(FreezeState.FROZEN);
    assertThat(agent.freeze(List.of("/data"))).isEqualTo(1);
    assertThat(agent.thaw()).isEqualTo(1);
    agent.close();
    assertThat(procedures())
        .containsExactly(
            RemoteProtocol.PROC_AUTH_LIST,
            RemoteProtocol.PROC_CONNECT_OPEN,
            RemoteProtocol.PROC_DOMAIN_LOOKUP_BY_NAME,
            RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
            RemoteProtocol.PROC_DOMAIN_FSFREEZE,
            RemoteProtocol.PROC_DOMAIN_FSTHAW,
            RemoteProtocol.PROC_CONNECT_CLOSE);
    assertThat(daemon.received())
        .extracting(PacketHeader::serial)
        .containsExactly(1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void keepalivePingsAreAnsweredAndLateRepliesToEarlierCallsSkipped() {
    daemon.answer(
        RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
        (call, args) ->
            List.of(
                FakeLibvirtDaemon.packet(
                    new PacketHeader(
                        RemoteProtocol.KEEPALIVE_PROGRAM,
                        1,
                        RemoteProtocol.KEEPALIVE_PROC_PING,
                        PacketHeader.TYPE_MESSAGE,
                        0,
                        0),
                    new byte[0]),
                FakeLibvirtDaemon.packet(
                    FakeLibvirtDaemon.reply(call, call.serial() - 1, 0),
                    new XdrWriter()
                        .writeOptionalString("{\"return\":\"frozen\"}", 64)
                        .toByteArray()),
                FakeLibvirtDaemon.ok(
                    call, new XdrWriter().writeOptionalString("{\"return\":\"thawed\"}", 64))));

    assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
    // the fake reads the pong on its own thread, maybe after our call returned
    await("the fake daemon receives a keepalive pong")
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                daemon.received().stream()
                    .anyMatch(
                        h ->
                            h.program() == RemoteProtocol.KEEPALIVE_PROGRAM
                                && h.procedure() == RemoteProtocol.KEEPALIVE_PROC_PONG
                                && h.type() == PacketHeader.TYPE_MESSAGE));
  }

  @Test
  void aReplyToACallNeverMadeIsAProtocolViolation() {
    daemon.answer(
        RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
        (call, args) ->
            List.of(
                FakeLibvirtDaemon.packet(
                    FakeLibvirtDaemon.reply(call, call.serial() + 5, 0), new byte[0])));
    assertThatThrownBy(agent::ping)
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("never sent");
  }

  @Test
  void anOversizedPacketLengthIsRefusedBeforeItIsRead() {
    daemon.answer(
        RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
        (call, args) -> List.of(new XdrWriter().writeInt(64 * 1024 * 1024).toByteArray()));
    assertThatThrownBy(agent::ping)
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("67108864");
    daemon.answer(
        RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
        (call, args) ->
            List.of(new XdrWriter().writeInt(12).writeInt(0).writeInt(0).toByteArray()));
    assertThatThrownBy(agent::ping)
        .as("shorter than a header")
        .isInstanceOf(AgentProtocolException.class);
  }

  @Test
  void aPacketCutShortByTheDaemonClosingIsALostConnection() {
    daemon.answer(
        RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND,
        (call, args) -> {
          byte[] full =
              FakeLibvirtDaemon.ok(
                  call, new XdrWriter().writeOptionalString("{\"return\":{}}", 64));
          return Arrays.asList(
              Arrays.copyOf(full, full.length - 6), null); // null: the fake closes the connection
        });
    assertThatThrownBy(agent::ping)
        .isInstanceOf(AgentUnavailableException.class)
        .hasMessageContaining("in the middle of a packet");
  }

  @Test
  void noReplyTimesOutInTheCommandPhaseAndTheNextCallReconnects() {
    daemon.answer(RemoteProtocol.QEMU_PROC_DOMAIN_AGENT_COMMAND, (call, args) -> List.of());
    long start = System.nanoTime();
    assertThatThrownBy(agent::ping)
        .isInstanceOfSatisfying(
            AgentNotRespondingException.class,
            e -> assertThat(e.phase()).isEqualTo(AgentNotRespondingException.Phase.COMMAND));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(1));

    assertThat(agent.thaw()).isEqualTo(1);
    assertThat(procedures()).filteredOn(p -> p == RemoteProtocol.PROC_CONNECT_OPEN).hasSize(2);
  }

  @Test
  void aDaemonThatNeverCompletesTheHandshakeTimesOutInTheSyncPhase() {
    daemon.answer(RemoteProtocol.PROC_CONNECT_OPEN, (call, args) -> List.of());
    assertThatThrownBy(agent::ping)
        .isInstanceOfSatisfying(
            AgentNotRespondingException.class,
            e -> assertThat(e.phase()).isEqualTo(AgentNotRespondingException.Phase.SYNC));
  }

  @Test
  void anErrorReplyIsTyped() {
    daemon.answer(
        RemoteProtocol.PROC_DOMAIN_FSFREEZE,
        (call, args) ->
            List.of(
                FakeLibvirtDaemon.error(
                    call, 86, "Guest agent is not responding: QEMU guest agent is not connected")));
    assertThatThrownBy(() -> agent.freeze(List.of()))
        .isInstanceOf(AgentUnavailableException.class)
        .hasMessageContaining("not connected");
  }

  @Test
  void polkitIsPassedAndSaslRefused() {
    daemon.answer(
        RemoteProtocol.PROC_AUTH_LIST,
        (call, args) ->
            List.of(
                FakeLibvirtDaemon.ok(
                    call, new XdrWriter().writeInt(1).writeInt(RemoteProtocol.AUTH_POLKIT))));
    daemon.answer(
        RemoteProtocol.PROC_AUTH_POLKIT,
        (call, args) -> List.of(FakeLibvirtDaemon.ok(call, new XdrWriter().writeInt(1))));
    agent.ping();
    assertThat(procedures()).contains(RemoteProtocol.PROC_AUTH_POLKIT);

    daemon.answer(
        RemoteProtocol.PROC_AUTH_LIST,
        (call, args) ->
            List.of(FakeLibvirtDaemon.ok(call, new XdrWriter().writeInt(1).writeInt(1))));
    try (LibvirtAgent sasl = new LibvirtAgent(daemon.socket(), "default_vm", QUICK)) {
      assertThatThrownBy(sasl::ping)
          .isInstanceOf(AgentUnavailableException.class)
          .hasMessageContaining("auth");
    }
  }

  @Test
  void anAgentReplyLongerThanTheLimitIsRefused() {
    QgaSettings small = QUICK.withMaxReplyBytes(QgaSettings.MIN_REPLY_BYTES);
    daemon.agentResult("{\"return\":\"" + "x".repeat(QgaSettings.MIN_REPLY_BYTES) + "\"}");
    try (LibvirtAgent bounded = new LibvirtAgent(daemon.socket(), "default_vm", small)) {
      assertThatThrownBy(bounded::freezeStatus)
          .isInstanceOf(AgentProtocolException.class)
          .hasMessageContaining("exceeds the limit");
    }
  }

  @Test
  void aMissingSocketIsUnavailable() {
    try (LibvirtAgent missing =
        new LibvirtAgent(dir.resolve("nothing.sock"), "default_vm", QUICK)) {
      assertThatThrownBy(missing::ping)
          .isInstanceOf(AgentUnavailableException.class)
          .hasMessageContaining("nothing.sock");
    }
  }

  @Test
  void closeFromAnotherThreadEndsABlockedCallAtOnce() throws Exception {
    QgaSettings slow = QUICK.withFreezeTimeout(Duration.ofSeconds(30));
    CountDownLatch asked = new CountDownLatch(1);
    daemon.answer(
        RemoteProtocol.PROC_DOMAIN_FSFREEZE,
        (call, args) -> {
          asked.countDown();
          return List.of();
        });
    try (LibvirtAgent blocked = new LibvirtAgent(daemon.socket(), "default_vm", slow)) {
      CompletableFuture<Integer> freeze =
          CompletableFuture.supplyAsync(() -> blocked.freeze(List.of()));
      assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
      long start = System.nanoTime();
      blocked.close();
      assertThatThrownBy(() -> freeze.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(AgentUnavailableException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      assertThatThrownBy(blocked::ping)
          .isInstanceOf(AgentUnavailableException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void badArgumentsAreRefusedUpFront() {
    assertThatThrownBy(() -> new LibvirtAgent(dir, " ", QUICK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LibvirtAgent(dir, "a\nb", QUICK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LibvirtAgent.kubevirtDomainName("", "vm"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(LibvirtAgent.kubevirtDomainName("prod", "db-01")).isEqualTo("prod_db-01");
  }

  @Test
  void aDaemonWhoseDomainHasTheGuestsUuidIsUsed() {
    java.util.UUID uuid = java.util.UUID.fromString("e4686d2c-6e8d-4335-b8fd-81bee22f4814");
    daemon.hosting("default_vm", uuid);
    try (LibvirtAgent checked =
        new LibvirtAgent(daemon.socket(), new LibvirtDomain("default_vm", uuid), QUICK)) {
      assertThat(checked.freeze(List.of())).isEqualTo(1);
    }
    assertThat(daemon.domainCalls()).containsExactly("fsfreeze");
  }

  @Test
  void aDaemonWhoseDomainOfThatNameHasAnotherUuidIsRefusedBeforeAnyCallOnTheDomain() {
    daemon.hosting("default_vm", java.util.UUID.fromString("00000000-0000-4000-8000-0000000000bb"));
    try (LibvirtAgent checked =
        new LibvirtAgent(
            daemon.socket(),
            new LibvirtDomain(
                "default_vm", java.util.UUID.fromString("e4686d2c-6e8d-4335-b8fd-81bee22f4814")),
            QUICK)) {
      assertThatThrownBy(() -> checked.freeze(List.of()))
          .isInstanceOfSatisfying(
              SocketIdentityMismatchException.class,
              e -> {
                assertThat(e.reason()).isEqualTo("SocketIdentityMismatch");
                assertThat(e.getMessage())
                    .contains("00000000-0000-4000-8000-0000000000bb")
                    .contains("e4686d2c-6e8d-4335-b8fd-81bee22f4814");
              });
      // every later call connects again and is refused again
      assertThatThrownBy(checked::thaw).isInstanceOf(SocketIdentityMismatchException.class);
    }
    assertThat(daemon.domainCalls()).as("no freeze, thaw or agent command").isEmpty();
  }

  @Test
  void aDaemonThatAnswersTheLookupWithAnotherDomainIsRefused() {
    daemon.answer(
        RemoteProtocol.PROC_DOMAIN_LOOKUP_BY_NAME,
        (call, args) -> {
          XdrWriter dom = new XdrWriter();
          new DomainRef("other_vm", FakeLibvirtDaemon.UUID, 3).encode(dom);
          return List.of(FakeLibvirtDaemon.ok(call, dom));
        });
    assertThatThrownBy(() -> agent.freeze(List.of()))
        .isInstanceOf(SocketIdentityMismatchException.class)
        .hasMessageContaining("other_vm");
    assertThat(daemon.domainCalls()).isEmpty();
  }
}
