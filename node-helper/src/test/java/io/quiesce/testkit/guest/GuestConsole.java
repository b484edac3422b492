package io.quiesce.testkit.guest;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The test guest's serial console as tests see it: the writer's progress on {@code /data} and the
 * guest clock of the heartbeat, which keeps ticking while {@code /data} is frozen. Shared by every
 * harness that boots the test guest image ({@link GuestVm}, the libvirt-managed guest).
 */
public final class GuestConsole {

  private final ConsoleLog log;

  public GuestConsole(Path consoleLog) {
    this.log = new ConsoleLog(consoleLog);
  }

  public Path file() {
    return log.file();
  }

  /** The writer's last completed iteration and the guest uptime it printed. */
  public WriterProgress writerProgress() {
    return log.lastWrite()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no writer line in the console log yet:\n" + log.tail(2048)));
  }

  /** Waits until the writer completes an iteration after the current one; returns it. */
  public WriterProgress awaitWriterAdvance(Duration timeout) {
    long before = log.lastWrite().map(WriterProgress::iteration).orElse(0L);
    AtomicReference<WriterProgress> now = new AtomicReference<>();
    await("guest writer advances past iteration " + before)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              log.lastWrite().ifPresent(now::set);
              return now.get() != null && now.get().iteration() > before;
            });
    return now.get();
  }

  /**
   * Waits for a heartbeat the guest prints after this call and returns its uptime: "guest time
   * now", also while {@code /data} is frozen.
   */
  public double awaitFreshGuestUptime(Duration timeout) {
    long mark = log.size();
    AtomicReference<Double> up = new AtomicReference<>();
    await("a guest heartbeat")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              log.lastHeartbeatAfter(mark).ifPresent(up::set);
              return up.get() != null;
            });
    return up.get();
  }

  /** Waits until the guest's heartbeat shows an uptime of at least {@code uptimeSeconds}. */
  public double awaitGuestUptime(double uptimeSeconds, Duration timeout) {
    AtomicReference<Double> up = new AtomicReference<>();
    await("guest uptime reaches " + uptimeSeconds + " s")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              log.lastHeartbeatAfter(0).ifPresent(up::set);
              return up.get() != null && up.get() >= uptimeSeconds;
            });
    return up.get();
  }

  /** The current end of the log, a mark for {@link #since(long)}. */
  public long mark() {
    return log.size();
  }

  /** What the guest printed after {@code mark} (at most the last 256 KiB). */
  public String since(long mark) {
    return log.since(mark);
  }
}
