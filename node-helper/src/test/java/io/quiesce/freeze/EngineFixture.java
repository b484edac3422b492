package io.quiesce.freeze;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** An engine on fake agents, short timings, its own executors and a Prometheus registry. */
final class EngineFixture implements AutoCloseable {
  static final GuestRef VM = new GuestRef("default", "vm-1");
  static final GuestRef OTHER_VM = new GuestRef("default", "vm-2");

  final FakeAgentConnector agents = new FakeAgentConnector();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  final ExecutorService workers = Executors.newCachedThreadPool();
  final FreezeEngineConfig config;
  final FreezeEngine engine;

  EngineFixture() {
    this(config -> {}, Clock.systemUTC());
  }

  EngineFixture(Consumer<FreezeEngineConfig.Builder> tweak) {
    this(tweak, Clock.systemUTC());
  }

  EngineFixture(Consumer<FreezeEngineConfig.Builder> tweak, Clock clock) {
    FreezeEngineConfig.Builder builder =
        FreezeEngineConfig.builder()
            .maxConcurrentFreezes(4)
            .slotWait(Duration.ofMillis(100))
            .maxFreezeTimeout(Duration.ofSeconds(10))
            .callTimeout(Duration.ofMillis(500))
            .thawBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(80)))
            .thawGiveUpAfter(Duration.ofSeconds(2))
            .needsThawRetryInterval(Duration.ofMillis(100))
            .staleThawTimeout(Duration.ofSeconds(1))
            .recoveryParallelism(2)
            .recoveryThawTimeout(Duration.ofSeconds(1));
    tweak.accept(builder);
    config = builder.build();
    engine = FreezeEngine.create(agents, config, registry, clock, scheduler, workers);
  }

  FakeGuestAgent agent() {
    return agents.agent(VM);
  }

  /**
   * A value from the Prometheus scrape, e.g. {@code quiesce_helper_watchdog_thaws_total}; -1 when
   * absent.
   */
  double scraped(String series) {
    for (String line : registry.scrape().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  @Override
  public void close() {
    engine.shutdown(Duration.ofSeconds(2));
    scheduler.shutdownNow();
    workers.shutdownNow();
  }
}
