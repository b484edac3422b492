package io.quiesce.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The schedule's Micrometer counters, tagged with namespace and schedule. In Prometheus they read
 * {@code quiesce_schedule_fires_total}, {@code quiesce_schedule_missed_fires_total} and {@code
 * quiesce_schedule_snapshots_created_total} (the chart's alerts use these names).
 */
final class ScheduleMetrics {
  static final String FIRES = "quiesce.schedule.fires";
  static final String MISSED_FIRES = "quiesce.schedule.missed.fires";
  static final String SNAPSHOTS_CREATED = "quiesce.schedule.snapshots.created";

  private final MeterRegistry registry;

  ScheduleMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void fired(String namespace, String schedule) {
    counter(FIRES, "Schedule fires (one per fired slot, whatever it created).", namespace, schedule)
        .increment();
  }

  void missed(String namespace, String schedule, long slots) {
    counter(
            MISSED_FIRES,
            "Scheduled slots that passed without a fire (operator down, deadline exceeded).",
            namespace,
            schedule)
        .increment(slots);
  }

  void created(String namespace, String schedule, long snapshots) {
    counter(SNAPSHOTS_CREATED, "QuiescedSnapshots created by schedules.", namespace, schedule)
        .increment(snapshots);
  }

  private Counter counter(String name, String help, String namespace, String schedule) {
    return Counter.builder(name)
        .description(help)
        .tag("namespace", namespace)
        .tag("schedule", schedule)
        .register(registry);
  }
}
