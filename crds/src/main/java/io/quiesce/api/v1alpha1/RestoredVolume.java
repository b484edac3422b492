package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;

/** One volume of a restore ({@code status.volumes[]}), written by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoredVolume {

  @Required
  @Size(max = 253)
  @JsonPropertyDescription("Name of the volume in the VirtualMachine.")
  private String volume;

  @Size(max = 253)
  @JsonPropertyDescription("The VolumeSnapshot restored from.")
  private String volumeSnapshot;

  @Size(max = 253)
  @JsonPropertyDescription(
      "The PVC created from that VolumeSnapshot (dataSourceRef); the VM's volume points at it.")
  private String persistentVolumeClaim;

  @JsonPropertyDescription(
      "Whether that PVC is bound (or waits for its first consumer, when its storage class "
          + "binds on first use).")
  private Boolean ready;

  @Size(max = 253)
  @JsonPropertyDescription("In place: the PVC the volume used before the restore.")
  private String previousClaim;

  @JsonPropertyDescription(
      "In place: true once the previous PVC was deleted (previousVolumes: Delete).")
  private Boolean previousClaimDeleted;

  public RestoredVolume() {}

  public RestoredVolume(String volume, String volumeSnapshot, String persistentVolumeClaim) {
    this.volume = volume;
    this.volumeSnapshot = volumeSnapshot;
    this.persistentVolumeClaim = persistentVolumeClaim;
  }

  public String getVolume() {
    return volume;
  }

  public void setVolume(String volume) {
    this.volume = volume;
  }

  public String getVolumeSnapshot() {
    return volumeSnapshot;
  }

  public void setVolumeSnapshot(String volumeSnapshot) {
    this.volumeSnapshot = volumeSnapshot;
  }

  public String getPersistentVolumeClaim() {
    return persistentVolumeClaim;
  }

  public void setPersistentVolumeClaim(String persistentVolumeClaim) {
    this.persistentVolumeClaim = persistentVolumeClaim;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public String getPreviousClaim() {
    return previousClaim;
  }

  public void setPreviousClaim(String previousClaim) {
    this.previousClaim = previousClaim;
  }

  public Boolean getPreviousClaimDeleted() {
    return previousClaimDeleted;
  }

  public void setPreviousClaimDeleted(Boolean previousClaimDeleted) {
    this.previousClaimDeleted = previousClaimDeleted;
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
