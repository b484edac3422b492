package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.ConditionSchema;
import io.quiesce.api.schema.SchemaPatch;
import java.util.ArrayList;
import java.util.List;

/** What a schedule has done and will do next. Every field is written by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          lastScheduleTime: {format: date-time}
          nextScheduleTime: {format: date-time}
          lastSuccessfulTime: {format: date-time}
          active: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [name]}
          conditions: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [type]}
        """)
public class QuiescedSnapshotScheduleStatus {

  @JsonPropertyDescription("The scheduled time of the latest fire (RFC 3339).")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String lastScheduleTime;

  @JsonPropertyDescription(
      "The scheduled time of the next fire (RFC 3339); absent while suspended or when the "
          + "schedule never fires again.")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String nextScheduleTime;

  @JsonPropertyDescription("When a snapshot this schedule created last succeeded (RFC 3339).")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String lastSuccessfulTime;

  @JsonPropertyDescription("The snapshots this schedule created that have not finished yet.")
  private List<ActiveSnapshot> active;

  @JsonPropertyDescription("What the latest fire did.")
  private FireCounts lastFire;

  @SchemaFrom(type = ConditionSchema[].class)
  @JsonInclude(
      JsonInclude.Include.NON_EMPTY) // the list starts empty; no "conditions: []" in writes
  @JsonPropertyDescription(
      "Ready (the schedule is valid and firing) and the reasons it is not, following the "
          + "Kubernetes API conventions; Reconciling and Stalled as kstatus (Flux) reads them: Stalled=True for an "
          + "invalid spec, which only an edit fixes.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  public String getLastScheduleTime() {
    return lastScheduleTime;
  }

  public void setLastScheduleTime(String lastScheduleTime) {
    this.lastScheduleTime = lastScheduleTime;
  }

  public String getNextScheduleTime() {
    return nextScheduleTime;
  }

  public void setNextScheduleTime(String nextScheduleTime) {
    this.nextScheduleTime = nextScheduleTime;
  }

  public String getLastSuccessfulTime() {
    return lastSuccessfulTime;
  }

  public void setLastSuccessfulTime(String lastSuccessfulTime) {
    this.lastSuccessfulTime = lastSuccessfulTime;
  }

  public List<ActiveSnapshot> getActive() {
    return active;
  }

  public void setActive(List<ActiveSnapshot> active) {
    this.active = active;
  }

  public FireCounts getLastFire() {
    return lastFire;
  }

  public void setLastFire(FireCounts lastFire) {
    this.lastFire = lastFire;
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
