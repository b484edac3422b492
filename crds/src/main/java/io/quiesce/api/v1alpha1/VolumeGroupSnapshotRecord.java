package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import io.quiesce.status.BoundedText;

/**
 * The CSI VolumeGroupSnapshot that cuts every disk at once ({@code status.volumeGroupSnapshot}).
 * Written by the operator: it plans the name, class and API version before the freeze; whoever runs
 * the window creates it so named; the operator copies its progress here and its members into {@code
 * status.volumeSnapshots[]}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input = "properties: {creationTime: {format: date-time}}")
public class VolumeGroupSnapshotRecord {

  @Required
  @Size(max = 253)
  @JsonPropertyDescription("Name of the VolumeGroupSnapshot in this namespace.")
  private String name;

  @Required
  @Size(max = 64)
  @JsonPropertyDescription(
      "The API version it is created with, the newest the cluster serves: "
          + "groupsnapshot.storage.k8s.io/v1, v1beta2 or v1beta1.")
  private String apiVersion;

  @Size(max = 253)
  @JsonPropertyDescription("The VolumeGroupSnapshotClass it uses.")
  private String volumeGroupSnapshotClassName;

  @Size(max = 63)
  @JsonPropertyDescription(
      "The label (key=value) put on the PVCs for the group's selector while the snapshot "
          + "runs; removed when it ends.")
  private String selectorLabel;

  @Size(max = 64)
  @JsonPropertyDescription(
      "When the storage cut every member (the group's status.creationTime, RFC 3339); the "
          + "freeze window ends on it.")
  private String creationTime;

  @JsonPropertyDescription("Whether the group can be restored from (its status.readyToUse).")
  private Boolean readyToUse;

  @Size(max = 1024)
  @JsonPropertyDescription("Why the group snapshot failed, if it did.")
  private String error;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getApiVersion() {
    return apiVersion;
  }

  public void setApiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  public String getVolumeGroupSnapshotClassName() {
    return volumeGroupSnapshotClassName;
  }

  public void setVolumeGroupSnapshotClassName(String volumeGroupSnapshotClassName) {
    this.volumeGroupSnapshotClassName = volumeGroupSnapshotClassName;
  }

  public String getSelectorLabel() {
    return selectorLabel;
  }

  public void setSelectorLabel(String selectorLabel) {
    this.selectorLabel = selectorLabel;
  }

  public String getCreationTime() {
    return creationTime;
  }

  public void setCreationTime(String creationTime) {
    this.creationTime = creationTime;
  }

  public Boolean getReadyToUse() {
    return readyToUse;
  }

  public void setReadyToUse(Boolean readyToUse) {
    this.readyToUse = readyToUse;
  }

  public String getError() {
    return error;
  }

  /** Stored stripped and bounded: it quotes the storage's error. */
  public void setError(String error) {
    this.error = error == null ? null : BoundedText.message(error);
  }

  /** A copy, so that a status being decided never shares it with the one observed. */
  public VolumeGroupSnapshotRecord copy() {
    return ApiValues.copy(this);
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
