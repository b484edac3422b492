package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import java.util.List;

/** One VM of a consistency group ({@code status.members[]}) and its own freeze window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        "properties: {volumeSnapshots: {x-kubernetes-list-type: map,"
            + " x-kubernetes-list-map-keys: [volume]}}")
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

  // per VM: two VMs of a group may have volumes of the same name; status.volumeSnapshots (one VM's
  // list, keyed by volume) stays empty for a group
  @JsonPropertyDescription(
      "This VM's disks, one entry per snapshotted volume: its PVC, its VolumeSnapshot and that "
          + "VolumeSnapshot's progress (as status.volumeSnapshots for one VM).")
  private List<VolumeSnapshotRecord> volumeSnapshots;

  // what a restore of this member into a new VM builds it from (status.vmDefinition of one VM)
  @JsonPropertyDescription(
      "This VM's definition when the group started (as status.vmDefinition for one VM): what a "
          + "restore into a new VM builds it from. Bounded to half of a single VM's bound per "
          + "member, so that 16 members stay well inside an object's size limit.")
  private VmDefinition vmDefinition;

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

  public List<VolumeSnapshotRecord> getVolumeSnapshots() {
    return volumeSnapshots;
  }

  public void setVolumeSnapshots(List<VolumeSnapshotRecord> volumeSnapshots) {
    this.volumeSnapshots = volumeSnapshots;
  }

  public VmDefinition getVmDefinition() {
    return vmDefinition;
  }

  public void setVmDefinition(VmDefinition vmDefinition) {
    this.vmDefinition = vmDefinition;
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
