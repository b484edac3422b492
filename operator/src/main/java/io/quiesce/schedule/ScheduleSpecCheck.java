package io.quiesce.schedule;

import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.SnapshotGrouping;
import io.quiesce.status.Reason;
import java.util.Optional;

/**
 * Checks a schedule's spec before anything is done with it; each problem has the {@code
 * Ready=False} reason the chart's Argo CD health check knows. The API server's schema and CEL rules
 * catch most of these first; the operator checks again because it must never act on a spec it
 * cannot read.
 */
final class ScheduleSpecCheck {
  static final String INVALID_SCHEDULE = "InvalidSchedule";
  static final String INVALID_TIME_ZONE = "InvalidTimeZone";
  static final String INVALID_SELECTOR = "InvalidSelector";
  static final String INVALID_TEMPLATE = "InvalidTemplate";

  private ScheduleSpecCheck() {}

  /**
   * A usable spec, parsed; {@code group}: one snapshot of every VM a fire selects ({@code grouping:
   * ConsistencyGroup}).
   */
  record Valid(
      CronSchedule cron,
      VmSelector selector,
      ScheduledSnapshotTemplate template,
      RetentionPolicy retention,
      boolean group) {}

  /** Why the spec is unusable: a condition reason and a message for the user. */
  record Invalid(String reason, String message) {}

  /** Either {@link Valid} or {@link Invalid}. */
  record Result(Valid valid, Invalid invalid) {
    Optional<Invalid> problem() {
      return Optional.ofNullable(invalid);
    }
  }

  static Result check(QuiescedSnapshotSchedule schedule) {
    QuiescedSnapshotScheduleSpec spec = schedule.getSpec();
    if (spec == null) {
      return invalid(Reason.INVALID_SPEC.wire(), "spec is missing");
    }
    CronSchedule cron;
    try {
      cron = CronSchedule.parse(spec.getSchedule(), spec.getTimeZone());
    } catch (InvalidTimeZoneException e) {
      return invalid(INVALID_TIME_ZONE, e.getMessage());
    } catch (InvalidScheduleException e) {
      return invalid(INVALID_SCHEDULE, e.getMessage());
    }
    VmSelector selector;
    try {
      selector = VmSelector.of(spec.getVmSelector());
    } catch (IllegalArgumentException e) {
      return invalid(INVALID_SELECTOR, "vmSelector: " + e.getMessage());
    }
    ScheduledSnapshotTemplate template =
        new ScheduledSnapshotTemplate(
            schedule.getMetadata().getName(),
            schedule.getMetadata().getUid(),
            schedule.getMetadata().getNamespace(),
            spec.getTemplate());
    Optional<String> templateProblem = template.problem();
    if (templateProblem.isPresent()) {
      return invalid(INVALID_TEMPLATE, templateProblem.get());
    }
    boolean group = spec.getGrouping() == SnapshotGrouping.ConsistencyGroup;
    Optional<String> groupProblem = group ? template.groupProblem() : Optional.empty();
    if (groupProblem.isPresent()) {
      return invalid(INVALID_TEMPLATE, groupProblem.get());
    }
    if (spec.getStartingDeadlineSeconds() != null && spec.getStartingDeadlineSeconds() < 0) {
      return invalid(Reason.INVALID_SPEC.wire(), "startingDeadlineSeconds must not be negative");
    }
    RetentionPolicy retention;
    try {
      retention = ScheduleRetention.policyOf(spec.getRetention());
    } catch (IllegalArgumentException e) {
      return invalid(Reason.INVALID_SPEC.wire(), "retention: " + e.getMessage());
    }
    return new Result(new Valid(cron, selector, template, retention, group), null);
  }

  private static Result invalid(String reason, String message) {
    return new Result(null, new Invalid(reason, message));
  }
}
