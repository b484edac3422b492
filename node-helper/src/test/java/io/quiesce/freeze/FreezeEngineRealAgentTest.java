package io.quiesce.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.guest.WriterProgress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The freeze engine against the real qemu-guest-agent: the guarantees that no guest stays frozen.
 * Figures are printed as {@code [figure] ...} lines for the closing note.
 */
@RealGuest
class FreezeEngineRealAgentTest {
  private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(30);

  private static FreezeState statusOf(GuestVm guest) {
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      return client.freezeStatus();
    }
  }

  @Test
  void watchdogThawsAGuestWhoseCallerNeverThaws(GuestVm guest) {
    Duration timeout = Duration.ofMillis(1500);
    GuestRef ref = new GuestRef("test", "watchdog");
    try (FreezeEngine engine =
        FreezeEngine.create(
            g -> new QgaClient(guest.agentSocket()),
            FreezeEngineConfig.builder().build(),
            new SimpleMeterRegistry())) {
      guest.awaitWriterAdvance(WRITER_TIMEOUT);
      Instant beforeFreeze = Instant.now();
      FreezeSession session = engine.freeze(ref, FreezeOptions.allFilesystems(timeout));
      assertThat(session.filesystemsFrozen()).isEqualTo(1);
      WriterProgress atFreeze = guest.writerProgress();

      // the caller never thaws; the watchdog must
      await().atMost(Duration.ofSeconds(15)).until(() -> engine.guestsFrozen().isEmpty());
      FreezeWindow window = session.thaw(); // idempotent: reports the watchdog's window

      assertThat(window.thawedBy()).isEqualTo(ThawedBy.WATCHDOG);
      // the deadline counts from before the freeze is sent, the window from its reply: the
      // watchdog never thaws before the deadline, and thaws within a second of it
      assertThat(window.end()).isAfterOrEqualTo(beforeFreeze.plus(timeout));
      assertThat(window.durationMs()).isBetween(1L, timeout.toMillis() + 1000);
      System.out.printf(
          "[figure] watchdog: frozen %d ms for a deadline of %d ms (+%d ms)%n",
          window.durationMs(), timeout.toMillis(), window.durationMs() - timeout.toMillis());
      assertThat(atFreeze.iteration()).isPositive();
    }
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
    guest.awaitWriterAdvance(WRITER_TIMEOUT);
  }

  @Test
  void runFrozenThawsRightAfterTheWorkAndTheWriterStalledOnlyInside(GuestVm guest) {
    GuestRef ref = new GuestRef("test", "window");
    try (FreezeEngine engine =
        FreezeEngine.create(
            g -> new QgaClient(guest.agentSocket()),
            FreezeEngineConfig.builder().build(),
            new SimpleMeterRegistry())) {
      guest.awaitWriterAdvance(WRITER_TIMEOUT);
      FrozenResult<WriterProgress> result =
          engine.runFrozen(
              ref,
              FreezeOptions.allFilesystems(Duration.ofSeconds(10)),
              deadline -> {
                double frozenAt = guest.awaitFreshGuestUptime(Duration.ofSeconds(5));
                WriterProgress before = guest.writerProgress();
                guest.awaitGuestUptime(frozenAt + 1.5, Duration.ofSeconds(8));
                assertThat(guest.writerProgress()).as("writer while frozen").isEqualTo(before);
                return before;
              });

      assertThat(result.window().thawedBy()).isEqualTo(ThawedBy.CALLER);
      assertThat(result.window().filesystemsFrozen()).isEqualTo(1);
      assertThat(guest.awaitWriterAdvance(WRITER_TIMEOUT).iteration())
          .isGreaterThan(result.value().iteration());
    }
  }

  @Test
  void aHelperKilledWithSigkillWhileFrozenIsCleanedUpByTheNextOne(GuestVm guest) throws Exception {
    Path socket = guest.agentSocket();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    Process holder =
        new ProcessBuilder(
                java, "-cp", classpath, HoldFrozenMain.class.getName(), socket.toString(), "300")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
      assertThat(line).isEqualTo("FROZEN 1");

      long killedAt = System.nanoTime();
      holder.destroyForcibly(); // SIGKILL: no shutdown hook, no watchdog, nothing runs
      assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(statusOf(guest))
          .as("nothing thawed the guest when its helper died")
          .isEqualTo(FreezeState.FROZEN);

      Process recover =
          new ProcessBuilder(
                  java,
                  "-cp",
                  classpath,
                  "io.quiesce.helper.Main",
                  "recover",
                  "--socket",
                  socket.toString(),
                  "--json")
              .redirectErrorStream(true)
              .start();
      String report = new String(recover.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(recover.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long thawedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

      assertThat(recover.exitValue()).as(report).isZero();
      assertThat(report).contains("thawed");
      assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
      System.out.printf(
          "[figure] SIGKILL: a new helper process thawed the guest %d ms after the kill "
              + "(including its JVM start-up)%n",
          thawedAfterMs);
      guest.awaitWriterAdvance(WRITER_TIMEOUT);
    } finally {
      holder.destroyForcibly();
      guest.ensureThawed(Duration.ofSeconds(10));
    }
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aSecondFreezeOfTheSameGuestIsRefusedWhileTheFirstIsLive(GuestVm guest) {
    GuestRef ref = new GuestRef("test", "twice");
    try (FreezeEngine engine =
        FreezeEngine.create(
            g -> new QgaClient(guest.agentSocket()),
            FreezeEngineConfig.builder().build(),
            new SimpleMeterRegistry())) {
      FreezeSession first =
          engine.freeze(ref, FreezeOptions.allFilesystems(Duration.ofSeconds(10)));
      try {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () ->
                    engine.freeze(ref, new FreezeOptions(List.of("/data"), Duration.ofSeconds(10))))
            .isInstanceOf(FreezeInProgressException.class);
      } finally {
        assertThat(first.thaw().thawedBy()).isEqualTo(ThawedBy.CALLER);
      }
    }
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
  }
}
