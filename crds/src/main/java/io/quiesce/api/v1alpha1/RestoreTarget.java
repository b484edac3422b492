package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Where a restore goes: a new VM, or the snapshot's own VM in place. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.newVM) != has(self.inPlace)",
    message = "set exactly one of newVM and inPlace")
public class RestoreTarget {

  @JsonPropertyDescription(
      "Restore into a new VirtualMachine built from the definition the snapshot kept.")
  private NewVmTarget newVM;

  @JsonPropertyDescription(
      "Restore the snapshot's own VirtualMachine: its volumes are pointed at new PVCs "
          + "restored from the snapshot.")
  private InPlaceTarget inPlace;

  public NewVmTarget getNewVM() {
    return newVM;
  }

  public void setNewVM(NewVmTarget newVM) {
    this.newVM = newVM;
  }

  public InPlaceTarget getInPlace() {
    return inPlace;
  }

  public void setInPlace(InPlaceTarget inPlace) {
    this.inPlace = inPlace;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RestoreTarget other
        && Objects.equals(newVM, other.newVM)
        && Objects.equals(inPlace, other.inPlace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(newVM, inPlace);
  }
}
