package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;

/**
 * The time every frozen VM of a consistency group was frozen at once ({@code status.commonWindow}):
 * from the last freeze reply to the first unfreeze request. Cuts inside it are consistent across
 * the VMs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input = "properties: {startTime: {format: date-time}, endTime: {format: date-time}}")
public class CommonWindow {

  @Size(max = 64)
  @JsonPropertyDescription(
      "When the last VM's freeze reply came: from then on every frozen VM was frozen (RFC 3339).")
  private String startTime;

  @Size(max = 64)
  @JsonPropertyDescription(
      "When the first unfreeze request was sent: until then every frozen VM was frozen (RFC 3339).")
  private String endTime;

  @JsonPropertyDescription("endTime - startTime in milliseconds.")
  private Long durationMs;

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getEndTime() {
    return endTime;
  }

  public void setEndTime(String endTime) {
    this.endTime = endTime;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
  }

  /** Every field compared ({@link ApiValues}): a new field needs no line here. */
  @Override
  public boolean equals(Object o) {
    return ApiValues.fieldsEqual(this, o);
  }

  @Override
  public int hashCode() {
    return ApiValues.fieldsHash(this);
  }
}
