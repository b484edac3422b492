package io.quiesce.freeze;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's limits and timings.
 *
 * @param maxConcurrentFreezes freezes (from freeze to confirmed thaw) running at once on this node
 * @param slotWait how long a freeze waits for a free slot before failing
 * @param maxFreezeTimeout the hard maximum of {@link FreezeOptions#timeout()}
 * @param callTimeout guard on every status/thaw call the engine makes: after it the connection is
 *     closed, whatever the agent client's own timeout does
 * @param thawBackoff wait between thaw attempts
 * @param thawGiveUpAfter total time of thaw attempts before giving up loudly (the guest then goes
 *     on the needs-thaw list)
 * @param needsThawRetryInterval how often the needs-thaw list is worked on
 * @param staleThawTimeout how long to try to thaw a guest found frozen before our freeze
 * @param recoveryParallelism guests checked at once by start-up recovery
 * @param recoveryThawTimeout how long recovery tries to thaw one guest
 */
public record FreezeEngineConfig(
    int maxConcurrentFreezes,
    Duration slotWait,
    Duration maxFreezeTimeout,
    Duration callTimeout,
    Backoff thawBackoff,
    Duration thawGiveUpAfter,
    Duration needsThawRetryInterval,
    Duration staleThawTimeout,
    int recoveryParallelism,
    Duration recoveryThawTimeout) {

  public FreezeEngineConfig {
    if (maxConcurrentFreezes < 1 || recoveryParallelism < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentFreezes and recoveryParallelism must be >= 1");
    }
    Objects.requireNonNull(thawBackoff, "thawBackoff");
    for (Duration d :
        new Duration[] {
          slotWait,
          maxFreezeTimeout,
          callTimeout,
          thawGiveUpAfter,
          needsThawRetryInterval,
          staleThawTimeout,
          recoveryThawTimeout
        }) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("engine durations must be positive");
      }
    }
  }

  /** Defaults for a node helper: a guest is never frozen longer than a minute. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link FreezeEngineConfig}, starting from the defaults. */
  public static final class Builder {
    private int maxConcurrentFreezes = 4;
    private Duration slotWait = Duration.ofSeconds(2);
    private Duration maxFreezeTimeout = Duration.ofSeconds(60);
    private Duration callTimeout = Duration.ofSeconds(10);
    private Backoff thawBackoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    private Duration thawGiveUpAfter = Duration.ofSeconds(60);
    private Duration needsThawRetryInterval = Duration.ofSeconds(30);
    private Duration staleThawTimeout = Duration.ofSeconds(10);
    private int recoveryParallelism = 4;
    private Duration recoveryThawTimeout = Duration.ofSeconds(30);

    private Builder() {}

    public Builder maxConcurrentFreezes(int value) {
      maxConcurrentFreezes = value;
      return this;
    }

    public Builder slotWait(Duration value) {
      slotWait = value;
      return this;
    }

    public Builder maxFreezeTimeout(Duration value) {
      maxFreezeTimeout = value;
      return this;
    }

    public Builder callTimeout(Duration value) {
      callTimeout = value;
      return this;
    }

    public Builder thawBackoff(Backoff value) {
      thawBackoff = value;
      return this;
    }

    public Builder thawGiveUpAfter(Duration value) {
      thawGiveUpAfter = value;
      return this;
    }

    public Builder needsThawRetryInterval(Duration value) {
      needsThawRetryInterval = value;
      return this;
    }

    public Builder staleThawTimeout(Duration value) {
      staleThawTimeout = value;
      return this;
    }

    public Builder recoveryParallelism(int value) {
      recoveryParallelism = value;
      return this;
    }

    public Builder recoveryThawTimeout(Duration value) {
      recoveryThawTimeout = value;
      return this;
    }

    public FreezeEngineConfig build() {
      return new FreezeEngineConfig(
          maxConcurrentFreezes,
          slotWait,
          maxFreezeTimeout,
          callTimeout,
          thawBackoff,
          thawGiveUpAfter,
          needsThawRetryInterval,
          staleThawTimeout,
          recoveryParallelism,
          recoveryThawTimeout);
    }
  }
}
