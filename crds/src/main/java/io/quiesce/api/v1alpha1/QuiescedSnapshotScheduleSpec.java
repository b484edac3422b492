package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.quiesce.api.schema.LabelSelectorSchema;
import java.util.Objects;

/** When to snapshot which VMs, how, and how many snapshots to keep. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.grouping) || self.grouping != 'ConsistencyGroup' || !has(self.template)"
            + " || !has(self.template.spec) || !has(self.template.spec.volumes)",
    message =
        "template.spec.volumes names the volumes of one VM: it cannot be set with grouping"
            + " ConsistencyGroup",
    fieldPath = ".template.spec.volumes")
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

  @Default("PerVM")
  @JsonPropertyDescription(
      "How one fire turns the VMs it selects into QuiescedSnapshots. PerVM (the default): one "
          + "QuiescedSnapshot per selected VM (spec.source), each frozen on its own. ConsistencyGroup: one "
          + "QuiescedSnapshot per fire over every selected VM (spec.sources.vms, the names selected), all "
          + "frozen together and cut inside the window in which all of them are frozen; retention counts "
          + "and deletes it as one. A ConsistencyGroup fire that selects fewer than 2 or more than 16 VMs "
          + "creates nothing and says so in the GroupSizeInvalid condition and a Warning Event.")
  private SnapshotGrouping grouping;

  @Default("{}")
  @JsonPropertyDescription("What each created QuiescedSnapshot looks like.")
  private SnapshotTemplate template;

  @Default("{}")
  @JsonPropertyDescription(
      "Which of this schedule's snapshots to keep, per VM (with grouping ConsistencyGroup: the "
          + "group snapshots, each counted as one).")
  private SnapshotRetention retention;

  @Default("Forbid")
  @JsonPropertyDescription(
      "Forbid: skip a VM on a fire while an earlier snapshot of it is still in progress (with "
          + "grouping ConsistencyGroup: skip the fire's group while an earlier snapshot of any of its VMs is). "
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

  public SnapshotGrouping getGrouping() {
    return grouping;
  }

  public void setGrouping(SnapshotGrouping grouping) {
    this.grouping = grouping;
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
        && grouping == other.grouping
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
        grouping,
        template,
        retention,
        concurrencyPolicy,
        startingDeadlineSeconds,
        suspend);
  }
}
