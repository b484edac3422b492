package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import io.quiesce.status.BoundedText;

/**
 * One disk of the snapshot ({@code status.volumeSnapshots[]}). Written by the operator: it plans
 * the entries (volume, PVC, VolumeSnapshot name and class) before handing the freeze to the node
 * helper, which creates the VolumeSnapshots so named; the operator then copies their progress here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input = "properties: {creationTime: {format: date-time}}")
public class VolumeSnapshotRecord {

  @Required
  @JsonPropertyDescription("Name of the volume in the VirtualMachine.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String volume;

  @JsonPropertyDescription(
      "The PersistentVolumeClaim behind the volume (for a dataVolume, the PVC of that name).")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String persistentVolumeClaim;

  @JsonPropertyDescription(
      "True when the volume was hot-plugged into the running instance (a hotpluggable "
          + "volume of the VirtualMachine, or one added to the instance only); the freeze covers it as any other.")
  private Boolean hotplugged;

  @JsonPropertyDescription(
      "The VolumeSnapshot (snapshot.storage.k8s.io/v1) of that PVC, in this namespace.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String volumeSnapshotName;

  @JsonPropertyDescription("The VolumeSnapshotClass the VolumeSnapshot uses.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String volumeSnapshotClassName;

  @JsonPropertyDescription(
      "When the storage cut the snapshot (the VolumeSnapshot's status.creationTime, RFC 3339).")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String creationTime;

  @JsonPropertyDescription(
      "Whether the VolumeSnapshot can be restored from (its status.readyToUse).")
  private Boolean readyToUse;

  @JsonPropertyDescription(
      "The smallest size a volume restored from this snapshot needs (its status.restoreSize).")
  private Quantity restoreSize;

  @JsonPropertyDescription("Why this VolumeSnapshot failed, if it did.")
  @io.fabric8.generator.annotation.Size(max = 1024)
  private String error;

  public String getVolume() {
    return volume;
  }

  public void setVolume(String volume) {
    this.volume = volume;
  }

  public String getPersistentVolumeClaim() {
    return persistentVolumeClaim;
  }

  public void setPersistentVolumeClaim(String persistentVolumeClaim) {
    this.persistentVolumeClaim = persistentVolumeClaim;
  }

  public Boolean getHotplugged() {
    return hotplugged;
  }

  public void setHotplugged(Boolean hotplugged) {
    this.hotplugged = hotplugged;
  }

  public String getVolumeSnapshotName() {
    return volumeSnapshotName;
  }

  public void setVolumeSnapshotName(String volumeSnapshotName) {
    this.volumeSnapshotName = volumeSnapshotName;
  }

  public String getVolumeSnapshotClassName() {
    return volumeSnapshotClassName;
  }

  public void setVolumeSnapshotClassName(String volumeSnapshotClassName) {
    this.volumeSnapshotClassName = volumeSnapshotClassName;
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

  public Quantity getRestoreSize() {
    return restoreSize;
  }

  public void setRestoreSize(Quantity restoreSize) {
    this.restoreSize = restoreSize;
  }

  public String getError() {
    return error;
  }

  /** Stored stripped and cut to {@link BoundedText#MAX_ERROR}: the storage chooses the text. */
  public void setError(String error) {
    this.error = BoundedText.error(error);
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
