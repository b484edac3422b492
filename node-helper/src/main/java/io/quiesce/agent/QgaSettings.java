package io.quiesce.agent;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and limits of a {@link QgaClient}. Every phase of a call has its own bound, so no call
 * can block longer than connect + sync + the command's timeout.
 *
 * @param connectTimeout opening the unix socket
 * @param syncTimeout the {@code guest-sync-delimited} handshake on a new connection and after a
 *     timeout
 * @param commandTimeout the reply to any command other than freeze and thaw
 * @param freezeTimeout the reply to {@code guest-fsfreeze-freeze}/{@code -freeze-list} (fsfreeze
 *     hooks run inside it)
 * @param thawTimeout the reply to {@code guest-fsfreeze-thaw}
 * @param maxReplyBytes the longest reply line accepted; a longer one is a protocol violation
 */
public record QgaSettings(
    Duration connectTimeout,
    Duration syncTimeout,
    Duration commandTimeout,
    Duration freezeTimeout,
    Duration thawTimeout,
    int maxReplyBytes) {

  /** Smallest accepted {@link #maxReplyBytes}: a guest-info reply alone is a few KiB. */
  public static final int MIN_REPLY_BYTES = 4096;

  public QgaSettings {
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(syncTimeout, "syncTimeout");
    requirePositive(commandTimeout, "commandTimeout");
    requirePositive(freezeTimeout, "freezeTimeout");
    requirePositive(thawTimeout, "thawTimeout");
    if (maxReplyBytes < MIN_REPLY_BYTES) {
      throw new IllegalArgumentException("maxReplyBytes must be at least " + MIN_REPLY_BYTES);
    }
  }

  /** Connect 2 s, sync 2 s, command 5 s, freeze 10 s, thaw 10 s, replies up to 1 MiB. */
  public static QgaSettings defaults() {
    return new QgaSettings(
        Duration.ofSeconds(2),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        1 << 20);
  }

  public QgaSettings withConnectTimeout(Duration d) {
    return new QgaSettings(
        d, syncTimeout, commandTimeout, freezeTimeout, thawTimeout, maxReplyBytes);
  }

  public QgaSettings withSyncTimeout(Duration d) {
    return new QgaSettings(
        connectTimeout, d, commandTimeout, freezeTimeout, thawTimeout, maxReplyBytes);
  }

  public QgaSettings withCommandTimeout(Duration d) {
    return new QgaSettings(
        connectTimeout, syncTimeout, d, freezeTimeout, thawTimeout, maxReplyBytes);
  }

  public QgaSettings withFreezeTimeout(Duration d) {
    return new QgaSettings(
        connectTimeout, syncTimeout, commandTimeout, d, thawTimeout, maxReplyBytes);
  }

  public QgaSettings withThawTimeout(Duration d) {
    return new QgaSettings(
        connectTimeout, syncTimeout, commandTimeout, freezeTimeout, d, maxReplyBytes);
  }

  public QgaSettings withMaxReplyBytes(int bytes) {
    return new QgaSettings(
        connectTimeout, syncTimeout, commandTimeout, freezeTimeout, thawTimeout, bytes);
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
