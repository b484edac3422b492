package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** One VM of a consistency group ({@code status.members[]}) and its own freeze window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GroupMember {

  @Size(max = 253)
  @JsonPropertyDescription("The VirtualMachine's name.")
  private String vm;

  @JsonPropertyDescription(
      "True when this VM was frozen by this snapshot; false when it could not be (see "
          + "freeze.reason and freeze.error) or mode is Skip.")
  private Boolean frozen;

  @JsonPropertyDescription(
      "This VM's freeze window: from KubeVirt's freeze reply to its unfreeze reply, what "
          + "thawed it, and why it was not frozen when it was not.")
  private FreezeRecord freeze;

  public String getVm() {
    return vm;
  }

  public void setVm(String vm) {
    this.vm = vm;
  }

  public Boolean getFrozen() {
    return frozen;
  }

  public void setFrozen(Boolean frozen) {
    this.frozen = frozen;
  }

  public FreezeRecord getFreeze() {
    return freeze;
  }

  public void setFreeze(FreezeRecord freeze) {
    this.freeze = freeze;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupMember other
        && Objects.equals(vm, other.vm)
        && Objects.equals(frozen, other.frozen)
        && Objects.equals(freeze, other.freeze);
  }

  @Override
  public int hashCode() {
    return Objects.hash(vm, frozen, freeze);
  }
}
