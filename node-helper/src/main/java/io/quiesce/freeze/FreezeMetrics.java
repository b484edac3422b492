package io.quiesce.freeze;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The engine's meters. Names are dotted for Micrometer and come out in Prometheus as {@code
 * quiesce_helper_freeze_duration_seconds}, {@code quiesce_helper_thaw_duration_seconds}, {@code
 * quiesce_helper_freeze_outcomes_total{reason}}, {@code quiesce_helper_watchdog_thaws_total},
 * {@code quiesce_helper_recovery_thaws_total}, {@code quiesce_helper_thaw_giveups_total}, {@code
 * quiesce_helper_foreign_freezes_total} (guests found frozen by someone else, left alone), {@code
 * quiesce_helper_thaw_handoffs_total} (guests that left the node before their thaw was confirmed),
 * {@code quiesce_helper_frozen_guests} and {@code quiesce_helper_needs_thaw_guests}.
 */
final class FreezeMetrics {
  /**
   * Outcome reasons of a freeze request, besides the agent's own reasons and {@code Reason.THAWED}.
   */
  static final String WATCHDOG_THAWED = "WatchdogThawed";

  static final String SHUTDOWN_THAWED = "ShutdownThawed";
  static final String NOTHING_FROZEN = "NothingFrozen";

  private final MeterRegistry registry;
  private final Timer freezeDuration;
  private final Timer thawDuration;
  private final Counter watchdogThaws;
  private final Counter recoveryThaws;
  private final Counter thawGiveUps;
  private final Counter foreignFreezes;
  private final Counter thawHandOffs;

  FreezeMetrics(
      MeterRegistry registry, Supplier<Number> frozenGuests, Supplier<Number> needsThawGuests) {
    this.registry = registry;
    freezeDuration =
        Timer.builder("quiesce.helper.freeze.duration")
            .description(
                "How long guests stayed frozen, from the agent's freeze reply to the confirmed thaw (status.freeze.durationMs)")
            .register(registry);
    thawDuration =
        Timer.builder("quiesce.helper.thaw.duration")
            .description("From the thaw request to the agent confirming the guest thawed")
            .register(registry);
    watchdogThaws =
        Counter.builder("quiesce.helper.watchdog.thaws")
            .description("Freezes the watchdog had to end at their deadline")
            .register(registry);
    recoveryThaws =
        Counter.builder("quiesce.helper.recovery.thaws")
            .description("Guests found frozen with no freeze of ours behind them, and thawed")
            .register(registry);
    thawGiveUps =
        Counter.builder("quiesce.helper.thaw.giveups")
            .description(
                "Thaws not confirmed within the configured time; the guest stays on the needs-thaw list")
            .register(registry);
    foreignFreezes =
        Counter.builder("quiesce.helper.foreign.freezes")
            .description(
                "Guests found frozen by someone else at start-up (not in the journal); left frozen")
            .register(registry);
    thawHandOffs =
        Counter.builder("quiesce.helper.thaw.handoffs")
            .description(
                "Guests that left this node before their thaw was confirmed; left to the operator")
            .register(registry);
    Gauge.builder("quiesce.helper.frozen.guests", frozenGuests)
        .description("Guests frozen by this helper now, or frozen and not yet thawed by it")
        .strongReference(true)
        .register(registry);
    Gauge.builder("quiesce.helper.needs.thaw.guests", needsThawGuests)
        .description("Guests whose thaw was not confirmed and is being retried")
        .strongReference(true)
        .register(registry);
  }

  void outcome(String reason) {
    Counter.builder("quiesce.helper.freeze.outcomes")
        .description("Freeze requests by how they ended")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  void frozenFor(Duration duration) {
    freezeDuration.record(duration);
  }

  void thawTook(Duration duration) {
    thawDuration.record(duration);
  }

  void watchdogThaw() {
    watchdogThaws.increment();
  }

  void recoveryThaw() {
    recoveryThaws.increment();
  }

  void thawGaveUp() {
    thawGiveUps.increment();
  }

  void foreignFreeze() {
    foreignFreezes.increment();
  }

  void thawHandedOff() {
    thawHandOffs.increment();
  }
}
