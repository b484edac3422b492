package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import io.quiesce.status.BoundedText;
import java.util.List;

/**
 * One VM of a group snapshot's restore ({@code status.members[]}), written by the operator: the
 * same record a restore of one VM keeps at the top of its status.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          startTime: {format: date-time}
          volumes: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [volume]}
        """)
public class RestoredMember {

  @Required
  @Size(max = 253)
  @JsonPropertyDescription("The member VM of the snapshot (status.members[].vm of the snapshot).")
  private String vm;

  @JsonPropertyDescription(
      "Where this member's restore is: Pending, WaitingForVMStop, RestoringVolumes, Succeeded "
          + "or Failed.")
  private RestorePhase phase;

  @Size(max = 128)
  @JsonPropertyDescription("Why this member is in this phase, as a CamelCase word.")
  private String reason;

  @Size(max = 2048)
  @JsonPropertyDescription("A human-readable summary of this member's latest state.")
  private String message;

  @Size(max = 253)
  @JsonPropertyDescription(
      "The VirtualMachine restored into: the member itself in place, else "
          + "<target.newVM.name>--<vm> (a hashed form when that does not fit 63 characters).")
  private String targetVM;

  @JsonPropertyDescription("In place: whether the VM ran when its restore began.")
  private Boolean vmWasRunning;

  @Size(max = 32)
  @JsonPropertyDescription("In place: the VM's runStrategy before the restore stopped it.")
  private String previousRunStrategy;

  @Size(max = 64)
  @JsonPropertyDescription("When this member's restore started (RFC 3339).")
  private String startTime;

  @Size(max = 64)
  @JsonPropertyDescription(
      "One entry per restored volume of this VM: the VolumeSnapshot, the new PVC and, in "
          + "place, the previous PVC.")
  private List<RestoredVolume> volumes;

  public String getVm() {
    return vm;
  }

  public void setVm(String vm) {
    this.vm = vm;
  }

  public RestorePhase getPhase() {
    return phase;
  }

  public void setPhase(RestorePhase phase) {
    this.phase = phase;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  /** Stored stripped and cut to {@link BoundedText#MAX_MESSAGE}: it quotes API errors. */
  public void setMessage(String message) {
    this.message = BoundedText.message(message);
  }

  public String getTargetVM() {
    return targetVM;
  }

  public void setTargetVM(String targetVM) {
    this.targetVM = targetVM;
  }

  public Boolean getVmWasRunning() {
    return vmWasRunning;
  }

  public void setVmWasRunning(Boolean vmWasRunning) {
    this.vmWasRunning = vmWasRunning;
  }

  public String getPreviousRunStrategy() {
    return previousRunStrategy;
  }

  public void setPreviousRunStrategy(String previousRunStrategy) {
    this.previousRunStrategy = previousRunStrategy;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public List<RestoredVolume> getVolumes() {
    return volumes;
  }

  public void setVolumes(List<RestoredVolume> volumes) {
    this.volumes = volumes;
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
