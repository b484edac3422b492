package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** What the latest fire of a schedule did ({@code status.lastFire}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FireCounts {

  @JsonPropertyDescription("VirtualMachines the selector matched.")
  private Integer selected;

  @JsonPropertyDescription("QuiescedSnapshots created.")
  private Integer created;

  @JsonPropertyDescription(
      "VMs skipped, e.g. because an earlier snapshot was still in progress (Forbid).")
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

  @Override
  public boolean equals(Object o) {
    return o instanceof FireCounts other
        && Objects.equals(selected, other.selected)
        && Objects.equals(created, other.created)
        && Objects.equals(skipped, other.skipped)
        && Objects.equals(failed, other.failed);
  }

  @Override
  public int hashCode() {
    return Objects.hash(selected, created, skipped, failed);
  }
}
