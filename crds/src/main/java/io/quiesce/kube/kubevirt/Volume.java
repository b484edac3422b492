package io.quiesce.kube.kubevirt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quiesce.kube.OpenObject;
import java.util.Optional;

/**
 * A volume of the instance. Only the two kinds backed by a PVC are modelled; the others
 * (containerDisk, cloudInitNoCloud, emptyDisk, ...) stay opaque as unknown fields.
 */
public class Volume extends OpenObject {
  private String name;
  private PersistentVolumeClaimVolumeSource persistentVolumeClaim;
  private DataVolumeSource dataVolume;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public PersistentVolumeClaimVolumeSource getPersistentVolumeClaim() {
    return persistentVolumeClaim;
  }

  public void setPersistentVolumeClaim(PersistentVolumeClaimVolumeSource persistentVolumeClaim) {
    this.persistentVolumeClaim = persistentVolumeClaim;
  }

  public DataVolumeSource getDataVolume() {
    return dataVolume;
  }

  public void setDataVolume(DataVolumeSource dataVolume) {
    this.dataVolume = dataVolume;
  }

  /**
   * The PVC behind this volume, if any. A DataVolume's PVC has the DataVolume's name (CDI creates
   * it so), so both kinds resolve to a claim name.
   */
  @JsonIgnore
  public Optional<String> claimName() {
    if (persistentVolumeClaim != null) {
      return Optional.ofNullable(persistentVolumeClaim.getClaimName());
    }
    if (dataVolume != null) {
      return Optional.ofNullable(dataVolume.getName());
    }
    return Optional.empty();
  }
}
