package io.quiesce.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.quiesce.agent.AgentNotRespondingException.Phase;
import io.quiesce.agent.FakeAgentConnection.Request;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QgaClient against a FAKE agent that misbehaves: every misbehaviour ends in the right typed
 * failure within its timeout (plus a generous grace), with no hung thread and bounded memory.
 */
class QgaClientFaultTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final int LIMIT = 64 * 1024;
  private static final QgaSettings FAST =
      new QgaSettings(TIMEOUT, TIMEOUT, TIMEOUT, TIMEOUT, TIMEOUT, LIMIT);

  @TempDir Path dir;

  private FakeQgaServer server;
  private QgaClient client;

  @AfterEach
  void tearDown() throws IOException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
      assertThat(server.scriptFailure()).as("the fake's script itself").isNull();
    }
  }

  // ------------------------------------------------------------------ misbehaviours

  @Test
  void replyThatIsNotJson() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.expect("guest-ping");
          c.writeLine("this is not json");
          c.holdOpen();
        });
    assertThat(failure(AgentProtocolException.class, client::ping))
        .hasMessageContaining("not JSON");
  }

  @Test
  void replyLineOverTheSizeLimit() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyReturn(c.expect("guest-ping"), "\"" + "x".repeat(LIMIT) + "\"");
          c.holdOpen();
        });
    assertThat(failure(AgentProtocolException.class, client::ping))
        .hasMessageContaining("longer than " + LIMIT);
  }

  @Test
  void syncReplyWithTheWrongId() throws IOException {
    serve(
        c -> {
          long id = c.readSync();
          c.writeLine(FakeAgentConnection.PARSE_ERROR_REPLY);
          c.writeDelimitedReturn(id + 1);
          c.holdOpen();
        });
    assertThat(failure(AgentNotRespondingException.class, client::ping).phase())
        .isEqualTo(Phase.SYNC);
  }

  @Test
  void syncReplyWithoutTheDelimiter() throws IOException {
    serve(
        c -> {
          long id = c.readSync();
          c.writeLine("{\"return\": " + id + "}");
          c.holdOpen();
        });
    assertThat(failure(AgentProtocolException.class, client::ping))
        .hasMessageContaining("without the 0xFF");
  }

  @Test
  void partialReplyThenSilence() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.expect("guest-ping");
          c.write("{\"return\": {");
          c.holdOpen();
        });
    assertThat(failure(AgentNotRespondingException.class, client::ping).phase())
        .isEqualTo(Phase.COMMAND);
  }

  @Test
  void replyToAnotherRequestOnly() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.expect("guest-ping");
          c.writeLine("{\"return\": {}, \"id\": \"someone-else-1\"}");
          c.holdOpen();
        });
    assertThat(failure(AgentNotRespondingException.class, client::ping).phase())
        .isEqualTo(Phase.COMMAND);
  }

  @Test
  void errorWhereAReturnIsExpected() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyError(c.expect("guest-fsfreeze-status"), "GenericError", "status unknown");
          c.holdOpen();
        });
    AgentCommandFailedException e =
        failure(AgentCommandFailedException.class, client::freezeStatus);
    assertThat(e.reason()).isEqualTo("AgentCommandFailed");
    assertThat(e.errorClass()).isEqualTo("GenericError");
    assertThat(e.agentMessage()).isEqualTo("status unknown");
  }

  @Test
  void returnOfTheWrongType() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyReturn(c.expect("guest-fsfreeze-freeze"), "\"all of them\"");
          c.holdOpen();
        });
    assertThat(failure(AgentProtocolException.class, () -> client.freeze(List.of())))
        .hasMessageContaining("expected a non-negative integer");
  }

  @Test
  void endlessStreamWithoutNewline() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.expect("guest-ping");
          byte[] chunk = "y".repeat(16 * 1024).getBytes();
          while (true) { // until the client gives up and closes: the write then fails
            c.write(chunk);
          }
        });
    assertThat(failure(AgentProtocolException.class, client::ping))
        .hasMessageContaining("longer than");
  }

  @Test
  void socketClosedMidReply() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.expect("guest-ping");
          c.write("{\"return\"");
          c.close();
        });
    assertThat(failure(AgentUnavailableException.class, client::ping))
        .hasMessageContaining("lost during guest-ping");
  }

  @Test
  void immediateCloseOnConnect() throws IOException {
    serve(FakeAgentConnection::close);
    assertThat(failure(AgentUnavailableException.class, client::ping).reason())
        .isEqualTo("AgentUnavailable");
  }

  @Test
  void silence() throws IOException {
    serve(FakeAgentConnection::holdOpen);
    AgentNotRespondingException e = failure(AgentNotRespondingException.class, client::ping);
    assertThat(e.phase()).isEqualTo(Phase.SYNC);
    assertThat(e.timeout()).isEqualTo(TIMEOUT);
  }

  @Test
  void replyThatIsJsonButNotAnObject() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.expect("guest-ping");
          c.writeLine("[\"return\", {}]");
          c.holdOpen();
        });
    assertThat(failure(AgentProtocolException.class, client::ping))
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void replyWithNeitherReturnNorError() throws IOException {
    serve(
        c -> {
          c.answerSync();
          Request ping = c.expect("guest-ping");
          c.writeLine("{\"id\": " + ping.idJson() + ", \"result\": {}}");
          c.holdOpen();
        });
    assertThat(failure(AgentProtocolException.class, client::ping))
        .hasMessageContaining("neither return nor error");
  }

  @Test
  void noSocketAtAll() {
    client = new QgaClient(dir.resolve("missing.sock"), FAST);
    assertThat(failure(AgentUnavailableException.class, client::ping))
        .hasMessageContaining("missing.sock");
  }

  @Test
  void staleSocketWithoutListener() throws IOException {
    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      gone.bind(
          UnixDomainSocketAddress.of(stale)); // closing leaves the file behind, like a dead QEMU
    }
    client = new QgaClient(stale, FAST);
    failure(AgentUnavailableException.class, client::ping);
  }

  @Test
  void connectToACrowdedSocketTimesOut() throws IOException {
    serve(FakeAgentConnection::holdOpen);
    try (SocketChannel holder =
        SocketChannel.open(UnixDomainSocketAddress.of(server.socketPath()))) {
      await()
          .atMost(GRACE)
          .until(() -> server.connections() == 1); // the holder is served, not queued
      try (CrowdedSocket crowd = CrowdedSocket.fill(server.socketPath())) {
        assertThat(crowd.queued()).isPositive();
        assertThat(failure(AgentNotRespondingException.class, client::ping).phase())
            .isEqualTo(Phase.CONNECT);
      }
    }
  }

  // ------------------------------------------------------------------ agent errors, typed

  @Test
  void unknownCommandIsCommandNotFound() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyError(
              c.expect("guest-get-fsinfo"),
              "CommandNotFound",
              "The command guest-get-fsinfo has not been found");
          c.holdOpen();
        });
    AgentCommandUnavailableException e =
        failure(AgentCommandUnavailableException.class, client::filesystems);
    assertThat(e.reason()).isEqualTo("CommandNotFound");
    assertThat(e.command()).isEqualTo("guest-get-fsinfo");
  }

  @Test
  void freezeDisabledByConfigurationIsCommandDisabledNotAlreadyFrozen() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyError(
              c.expect("guest-fsfreeze-freeze"),
              "CommandDisabled",
              "The command guest-fsfreeze-freeze has been disabled");
          c.replyReturn(c.expect("guest-fsfreeze-status"), "\"thawed\"");
          c.holdOpen();
        });
    assertThat(
            failure(AgentCommandUnavailableException.class, () -> client.freeze(List.of()))
                .reason())
        .isEqualTo("CommandDisabled");
  }

  @Test
  void freezeRefusedWhileFrozenIsAlreadyFrozen() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyError(
              c.expect("guest-fsfreeze-freeze"),
              "CommandNotFound",
              "Command guest-fsfreeze-freeze has been disabled: the agent is in frozen state");
          c.replyReturn(c.expect("guest-fsfreeze-status"), "\"frozen\"");
          c.holdOpen();
        });
    assertThat(failure(AlreadyFrozenException.class, () -> client.freeze(List.of())).reason())
        .isEqualTo("AlreadyFrozen");
  }

  @Test
  void freezeErrorCarriesTheAgentsMessage() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyError(
              c.expect("guest-fsfreeze-freeze-list"),
              "GenericError",
              "failed to freeze /data: Device or resource busy");
          c.holdOpen();
        });
    FreezeFailedException e =
        failure(FreezeFailedException.class, () -> client.freeze(List.of("/data")));
    assertThat(e.reason()).isEqualTo("FreezeFailed");
    assertThat(e.agentMessage()).isEqualTo("failed to freeze /data: Device or resource busy");
  }

  @Test
  void thawAfterTheVssHoldLimitIsHoldLimitExceeded() throws IOException {
    serve(
        c -> {
          c.answerSync();
          c.replyError(
              c.expect("guest-fsfreeze-thaw"),
              "GenericError",
              "couldn't hold writes: fsfreeze is limited up to 10 seconds");
          c.holdOpen();
        });
    assertThat(failure(FreezeHoldLimitExceededException.class, client::thaw).reason())
        .isEqualTo("VssHoldLimitExceeded");
  }

  // ------------------------------------------------------------------ what must keep working

  @Test
  void sendsTheMountpointsAndAnIdAndReadsTheCount() throws IOException {
    serve(
        c -> {
          c.answerSync();
          Request freeze = c.expect("guest-fsfreeze-freeze-list");
          if (!freeze.arguments().path("mountpoints").toString().equals("[\"/data\",\"/var/lib\"]")
              || freeze.idJson() == null) {
            throw new IllegalStateException("unexpected request " + freeze.json());
          }
          c.replyReturn(freeze, "2");
          c.holdOpen();
        });
    assertThat(client.freeze(List.of("/data", "/var/lib"))).isEqualTo(2);
  }

  @Test
  void oversizedRequestIsRefusedBeforeConnecting() throws IOException {
    serve(FakeAgentConnection::holdOpen);
    List<String> mountpoints = Collections.nCopies(5000, "/a/rather/long/mount/point");
    assertThatThrownBy(() -> client.freeze(mountpoints))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
    assertThat(server.connections()).isZero();
  }

  @Test
  void junkAndStaleRepliesBeforeTheSyncAreDiscarded() throws IOException {
    serve(
        c -> {
          long id = c.readSync();
          c.writeLine("{\"return\": 1, \"id\": \"late-freeze\"}");
          c.writeDelimitedReturn(id - 1); // an earlier, abandoned handshake
          c.writeLine(FakeAgentConnection.PARSE_ERROR_REPLY);
          c.writeDelimitedReturn(id);
          c.replyReturn(c.expect("guest-fsfreeze-status"), "\"frozen\"");
          c.holdOpen();
        });
    assertThat(client.freezeStatus()).isEqualTo(FreezeState.FROZEN);
  }

  @Test
  void replyToAnotherRequestIsSkippedForOurs() throws IOException {
    serve(
        c -> {
          c.answerSync();
          Request status = c.expect("guest-fsfreeze-status");
          c.writeLine("{\"return\": \"frozen\", \"id\": \"someone-else-7\"}");
          c.replyReturn(status, "\"thawed\"");
          c.holdOpen();
        });
    assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void afterACommandTimeoutTheNextCallResyncsOnTheSameConnection() throws IOException {
    serve(
        c -> {
          c.answerSync();
          Request first = c.expect("guest-ping");
          long id = c.readSync(); // the client gave up on the ping and resyncs
          c.replyReturn(first, "{}"); // the late reply, which the resync must discard
          c.writeLine(FakeAgentConnection.PARSE_ERROR_REPLY);
          c.writeDelimitedReturn(id);
          c.replyReturn(c.expect("guest-fsfreeze-status"), "\"thawed\"");
          c.holdOpen();
        });
    assertThat(failure(AgentNotRespondingException.class, client::ping).phase())
        .isEqualTo(Phase.COMMAND);
    assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void afterTheAgentClosedTheNextCallReconnects() throws IOException {
    serve(
        c -> {
          c.answerSync();
          Request ping = c.expect("guest-ping");
          if (server.connections() == 1) {
            c.close();
            return;
          }
          c.replyReturn(ping, "{}");
          c.holdOpen();
        });
    failure(AgentUnavailableException.class, client::ping);
    client.ping();
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void afterAFailedHandshakeTheNextCallReconnects() throws IOException {
    serve(
        c -> {
          if (server.connections() == 1) {
            c.holdOpen();
            return;
          }
          c.answerSync();
          c.replyReturn(c.expect("guest-ping"), "{}");
          c.holdOpen();
        });
    assertThat(failure(AgentNotRespondingException.class, client::ping).phase())
        .isEqualTo(Phase.SYNC);
    client.ping();
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void freezeAndThawHaveTheirOwnTimeouts() throws IOException {
    Duration agentLatency = Duration.ofMillis(1000);
    serve(
        c -> {
          c.answerSync();
          Request freeze = c.expect("guest-fsfreeze-freeze");
          c.pause(agentLatency);
          c.replyReturn(freeze, "1");
          Request status = c.expect("guest-fsfreeze-status");
          c.pause(agentLatency);
          c.replyReturn(status, "\"frozen\"");
          c.holdOpen();
        });
    client.close();
    client = new QgaClient(server.socketPath(), FAST.withFreezeTimeout(Duration.ofSeconds(5)));
    assertThat(client.freeze(List.of())).isEqualTo(1);
    assertThat(failure(AgentNotRespondingException.class, client::freezeStatus).timeout())
        .isEqualTo(TIMEOUT);
  }

  @Test
  void closeFromAnotherThreadEndsABlockedCall() throws IOException {
    CountDownLatch freezeInFlight = new CountDownLatch(1);
    serve(
        c -> {
          c.answerSync();
          c.expect("guest-fsfreeze-freeze");
          freezeInFlight.countDown();
          c.holdOpen();
        });
    client.close();
    QgaClient blocked =
        new QgaClient(server.socketPath(), FAST.withFreezeTimeout(Duration.ofMinutes(5)));
    client = blocked;
    Thread closer =
        new Thread(
            () -> {
              try {
                if (freezeInFlight.await(10, TimeUnit.SECONDS)) {
                  blocked.close();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "closer");
    closer.setDaemon(true);
    closer.start();
    assertThat(failure(AgentUnavailableException.class, () -> blocked.freeze(List.of())))
        .hasMessageContaining("client closed");
  }

  // ------------------------------------------------------------------ helpers

  private void serve(FakeQgaServer.Script script) throws IOException {
    server = FakeQgaServer.start(dir, script);
    client = new QgaClient(server.socketPath(), FAST);
  }

  /**
   * Runs {@code call}, which must fail with {@code type} within the longest timeout plus a grace.
   */
  private static <E extends AgentException> E failure(Class<E> type, ThrowingCallable call) {
    E e =
        assertTimeoutPreemptively(
            TIMEOUT.multipliedBy(2).plus(GRACE), () -> catchThrowableOfType(type, call));
    assertThat(e).as("expected %s", type.getSimpleName()).isNotNull();
    return e;
  }
}
