package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.ConditionSchema;
import io.quiesce.api.schema.SchemaPatch;
import io.quiesce.status.BoundedText;
import java.util.ArrayList;
import java.util.List;

/** Where a restore is. One writer: the operator, once per reconcile. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          startTime: {format: date-time}
          completionTime: {format: date-time}
          conditions: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [type]}
          volumes: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [volume]}
          members: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [vm]}
        """)
public class QuiescedSnapshotRestoreStatus {

  @JsonPropertyDescription(
      "Where the restore is: Pending, WaitingForVMStop (in place, the VM is being stopped), "
          + "RestoringVolumes (the PVCs are being restored), Succeeded or Failed.")
  private RestorePhase phase;

  @Size(max = 128)
  @JsonPropertyDescription(
      "Why the restore is in this phase, as a CamelCase word, e.g. VolumesRestoring, "
          + "VMRunning, CrossNamespaceTarget, SourceNotConsistent, Restored.")
  private String reason;

  @Size(max = 253)
  @JsonPropertyDescription("The VirtualMachine restored into.")
  private String targetVM;

  @JsonPropertyDescription(
      "In place: whether the VM ran when the restore began (it is started again at the end).")
  private Boolean vmWasRunning;

  @Size(max = 32)
  @JsonPropertyDescription(
      "In place: the VM's runStrategy before the restore stopped it (restored at the end).")
  private String previousRunStrategy;

  @Size(max = 64)
  @JsonPropertyDescription(
      "One entry per restored volume: the VolumeSnapshot, the new PVC and, in place, the "
          + "previous PVC.")
  private List<RestoredVolume> volumes;

  // a group's restore: one entry per VM, each with what targetVM..volumes say for one VM
  @Size(max = 16)
  @JsonPropertyDescription(
      "A restore of a group snapshot (spec.sources): one entry per member VM restored, with its "
          + "own phase, target VM and volumes; targetVM and volumes above stay empty. The restore "
          + "is Succeeded only when every member is, and Failed as soon as one is.")
  private List<RestoredMember> members;

  @Size(max = 64)
  @JsonPropertyDescription("When the operator started the restore (RFC 3339).")
  private String startTime;

  @Size(max = 64)
  @JsonPropertyDescription("When the restore reached Succeeded or Failed (RFC 3339).")
  private String completionTime;

  @SchemaFrom(type = ConditionSchema[].class)
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyDescription(
      "Ready (True once Succeeded), VMStopped (in place), VolumesReady and VMUpdated, "
          + "following the Kubernetes API conventions.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @Size(max = 2048)
  @JsonPropertyDescription(
      "A human-readable summary of the latest state, e.g. why the restore failed.")
  private String message;

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

  public List<RestoredVolume> getVolumes() {
    return volumes;
  }

  public void setVolumes(List<RestoredVolume> volumes) {
    this.volumes = volumes;
  }

  public List<RestoredMember> getMembers() {
    return members;
  }

  public void setMembers(List<RestoredMember> members) {
    this.members = members;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getMessage() {
    return message;
  }

  /** Stored stripped and cut to {@link BoundedText#MAX_MESSAGE}: it quotes API errors. */
  public void setMessage(String message) {
    this.message = BoundedText.message(message);
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
