package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.quiesce.api.schema.LabelSelectorSchema;
import java.util.Objects;

/** When to snapshot which VMs, how, and how many snapshots to keep. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QuiescedSnapshotScheduleSpec {
  /**
   * Loose on purpose: a macro, or five whitespace-separated fields. The operator parses the
   * expression fully and reports a bad one in a condition.
   */
  static final String CRON_SHAPE = "^(@[A-Za-z]+|[^\\s@]+(\\s+[^\\s@]+){4})$";

  /** An IANA zone name shape (UTC, Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5). */
  static final String TIME_ZONE_SHAPE = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$";

  @Required
  @Pattern(CRON_SHAPE)
  @Size(min = 1, max = 128)
  @JsonPropertyDescription(
      "When to take snapshots: five cron fields as a Kubernetes CronJob takes them "
          + "(minute hour day-of-month month day-of-week, e.g. \"30 2 * * *\"), or a macro: @yearly, @annually, "
          + "@monthly, @weekly, @daily, @midnight, @hourly.")
  private String schedule;

  @Default("UTC")
  @Pattern(TIME_ZONE_SHAPE)
  @Size(max = 64)
  @JsonPropertyDescription("The IANA time zone the schedule is read in, e.g. Europe/Berlin.")
  private String timeZone;

  @Required
  @SchemaFrom(type = LabelSelectorSchema.class)
  @JsonPropertyDescription(
      "Which VirtualMachines in this namespace to snapshot; {} selects them all.")
  private LabelSelector vmSelector;

  @Default("{}")
  @JsonPropertyDescription("What each created QuiescedSnapshot looks like.")
  private SnapshotTemplate template;

  @Default("{}")
  @JsonPropertyDescription("Which of this schedule's snapshots to keep, per VM.")
  private SnapshotRetention retention;

  @Default("Forbid")
  @JsonPropertyDescription(
      "Forbid: skip a VM on a fire while an earlier snapshot of it is still in progress. "
          + "Allow: create the new snapshot anyway (it still waits for the earlier one's freeze to end).")
  private ConcurrencyPolicy concurrencyPolicy;

  @Min(0)
  @JsonPropertyDescription(
      "A fire that cannot start within this many seconds of its scheduled time (e.g. the "
          + "operator was down) is skipped instead of run late. Omit for no deadline.")
  private Long startingDeadlineSeconds;

  @Default("false")
  @JsonPropertyDescription("True stops new fires; snapshots already created are not affected.")
  private Boolean suspend;

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }

  public LabelSelector getVmSelector() {
    return vmSelector;
  }

  public void setVmSelector(LabelSelector vmSelector) {
    this.vmSelector = vmSelector;
  }

  public SnapshotTemplate getTemplate() {
    return template;
  }

  public void setTemplate(SnapshotTemplate template) {
    this.template = template;
  }

  public SnapshotRetention getRetention() {
    return retention;
  }

  public void setRetention(SnapshotRetention retention) {
    this.retention = retention;
  }

  public ConcurrencyPolicy getConcurrencyPolicy() {
    return concurrencyPolicy;
  }

  public void setConcurrencyPolicy(ConcurrencyPolicy concurrencyPolicy) {
    this.concurrencyPolicy = concurrencyPolicy;
  }

  public Long getStartingDeadlineSeconds() {
    return startingDeadlineSeconds;
  }

  public void setStartingDeadlineSeconds(Long startingDeadlineSeconds) {
    this.startingDeadlineSeconds = startingDeadlineSeconds;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuiescedSnapshotScheduleSpec other
        && Objects.equals(schedule, other.schedule)
        && Objects.equals(timeZone, other.timeZone)
        && Objects.equals(vmSelector, other.vmSelector)
        && Objects.equals(template, other.template)
        && Objects.equals(retention, other.retention)
        && concurrencyPolicy == other.concurrencyPolicy
        && Objects.equals(startingDeadlineSeconds, other.startingDeadlineSeconds)
        && Objects.equals(suspend, other.suspend);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        schedule,
        timeZone,
        vmSelector,
        template,
        retention,
        concurrencyPolicy,
        startingDeadlineSeconds,
        suspend);
  }
}
