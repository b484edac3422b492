package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Objects;

/** The snapshot's own VirtualMachine, restored in place. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InPlaceTarget {

  @Default("false")
  @JsonPropertyDescription(
      "Stop the VM if it runs, wait until it has stopped, and start it again after the "
          + "restore. Without it a running VM is refused (phase Failed, reason VMRunning).")
  private Boolean stopVM;

  @Default("Keep")
  @JsonPropertyDescription(
      "What happens to the PVCs the VM used before: Keep (default; named in "
          + "status.volumes[].previousClaim) or Delete (deleted once the VM points at the restored ones; "
          + "PVCs of DataVolumes are kept, their DataVolume would recreate them).")
  private PreviousVolumesPolicy previousVolumes;

  public Boolean getStopVM() {
    return stopVM;
  }

  public void setStopVM(Boolean stopVM) {
    this.stopVM = stopVM;
  }

  public PreviousVolumesPolicy getPreviousVolumes() {
    return previousVolumes;
  }

  public void setPreviousVolumes(PreviousVolumesPolicy previousVolumes) {
    this.previousVolumes = previousVolumes;
  }

  /** What an in-place restore does with the PVCs the VM used before. */
  public enum PreviousVolumesPolicy {
    Keep,
    Delete
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InPlaceTarget other
        && Objects.equals(stopVM, other.stopVM)
        && previousVolumes == other.previousVolumes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(stopVM, previousVolumes);
  }
}
