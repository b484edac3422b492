package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Required;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import java.util.List;

/** A snapshot a schedule created that has not finished yet ({@code status.active[]}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(value = SchemaPatch.class, input = "properties: {vms: {items: {maxLength: 253}}}")
public class ActiveSnapshot {

  @Required
  @JsonPropertyDescription("Name of the QuiescedSnapshot, in this namespace.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String name;

  @JsonPropertyDescription("The VirtualMachine it snapshots; absent for a group snapshot.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String vm;

  @JsonPropertyDescription(
      "The VirtualMachines a group snapshot (grouping ConsistencyGroup) freezes.")
  @io.fabric8.generator.annotation.Size(max = SnapshotSources.MAX_VMS)
  private List<String> vms;

  public ActiveSnapshot() {}

  public ActiveSnapshot(String name, String vm) {
    this.name = name;
    this.vm = vm;
  }

  /** A group snapshot of these VMs. */
  public static ActiveSnapshot ofGroup(String name, List<String> vms) {
    ActiveSnapshot a = new ActiveSnapshot(name, null);
    a.setVms(vms);
    return a;
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

  public List<String> getVms() {
    return vms;
  }

  public void setVms(List<String> vms) {
    this.vms = vms;
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
