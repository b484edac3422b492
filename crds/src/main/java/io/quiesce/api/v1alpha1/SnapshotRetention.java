package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.quiesce.api.schema.Patterns;
import java.util.Objects;

/**
 * Which of a schedule's snapshots to keep, per VM. The newest succeeded snapshot of a VM is always
 * kept; failed snapshots never count as kept and are pruned by their own limit.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotRetention {
  /**
   * The schema's default. Code reading an object no API server defaulted (the mock API server in
   * tests does not) falls back to it.
   */
  public static final int DEFAULT_FAILED_HISTORY_LIMIT = 3;

  @Min(1)
  @JsonPropertyDescription(
      "Succeeded snapshots to keep per VM, newest first (at least 1). Omit for no count limit.")
  private Integer keepLast;

  @Pattern(Patterns.GO_DURATION)
  @Size(max = Patterns.GO_DURATION_MAX_LENGTH)
  @ValidationRule(
      value = Patterns.IF_WELL_FORMED_DURATION + "duration(self) >= duration('1m')",
      message = "maxAge must be at least 1m; durations have no days unit, write 720h for 30 days")
  @JsonPropertyDescription(
      "Delete succeeded snapshots older than this duration, e.g. 168h for a week (the newest "
          + "of each VM stays). Omit for no age limit.")
  private String maxAge;

  @Min(0)
  @Default("" + DEFAULT_FAILED_HISTORY_LIMIT)
  @JsonPropertyDescription(
      "Failed snapshots to keep per VM for inspection; older ones are deleted.")
  private Integer failedHistoryLimit;

  public Integer getKeepLast() {
    return keepLast;
  }

  public void setKeepLast(Integer keepLast) {
    this.keepLast = keepLast;
  }

  public String getMaxAge() {
    return maxAge;
  }

  public void setMaxAge(String maxAge) {
    this.maxAge = maxAge;
  }

  public Integer getFailedHistoryLimit() {
    return failedHistoryLimit;
  }

  public void setFailedHistoryLimit(Integer failedHistoryLimit) {
    this.failedHistoryLimit = failedHistoryLimit;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotRetention other
        && Objects.equals(keepLast, other.keepLast)
        && Objects.equals(maxAge, other.maxAge)
        && Objects.equals(failedHistoryLimit, other.failedHistoryLimit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keepLast, maxAge, failedHistoryLimit);
  }
}
