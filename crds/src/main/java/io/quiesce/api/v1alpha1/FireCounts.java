package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.quiesce.api.ApiValues;

/** What the latest fire of a schedule did ({@code status.lastFire}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FireCounts {

  @JsonPropertyDescription("VirtualMachines the selector matched.")
  private Integer selected;

  @JsonPropertyDescription(
      "QuiescedSnapshots created (a ConsistencyGroup fire creates one for all its VMs).")
  private Integer created;

  @JsonPropertyDescription(
      "VMs skipped, e.g. because an earlier snapshot was still in progress (Forbid), or "
          + "every VM of a ConsistencyGroup fire that selected fewer than 2 or more than 16.")
  private Integer skipped;

  @JsonPropertyDescription("VMs whose QuiescedSnapshot could not be created.")
  private Integer failed;

  public Integer getSelected() {
    return selected;
  }

  public void setSelected(Integer selected) {
    this.selected = selected;
  }

  public Integer getCreated() {
    return created;
  }

  public void setCreated(Integer created) {
    this.created = created;
  }

  public Integer getSkipped() {
    return skipped;
  }

  public void setSkipped(Integer skipped) {
    this.skipped = skipped;
  }

  public Integer getFailed() {
    return failed;
  }

  public void setFailed(Integer failed) {
    this.failed = failed;
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
