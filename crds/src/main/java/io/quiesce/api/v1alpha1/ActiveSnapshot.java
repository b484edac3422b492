package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.quiesce.api.ApiValues;

/** A snapshot a schedule created that has not finished yet ({@code status.active[]}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ActiveSnapshot {

  @Required
  @JsonPropertyDescription("Name of the QuiescedSnapshot, in this namespace.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String name;

  @Required
  @JsonPropertyDescription("The VirtualMachine it snapshots.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String vm;

  public ActiveSnapshot() {}

  public ActiveSnapshot(String name, String vm) {
    this.name = name;
    this.vm = vm;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getVm() {
    return vm;
  }

  public void setVm(String vm) {
    this.vm = vm;
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
