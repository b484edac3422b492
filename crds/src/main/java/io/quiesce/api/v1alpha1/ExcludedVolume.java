package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.quiesce.api.ApiValues;

/**
 * A volume of the VM backed by a PVC that this snapshot does not include ({@code
 * status.excludedVolumes[]}), and why: nothing the guest has is left out without being named.
 * Written by the operator.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExcludedVolume {
  /** spec.volumes names a subset and this volume is not in it. */
  public static final String NOT_IN_SPEC_VOLUMES = "NotInSpecVolumes";

  /** A memoryDump volume: it holds a dump of the guest's memory, not a disk the guest uses. */
  public static final String MEMORY_DUMP = "MemoryDump";

  @Required
  @JsonPropertyDescription("Name of the volume in the VirtualMachine or its running instance.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String volume;

  @JsonPropertyDescription("The PersistentVolumeClaim behind the volume.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String persistentVolumeClaim;

  @JsonPropertyDescription("Whether the volume was hot-plugged into the running instance.")
  private Boolean hotplugged;

  @Required
  @JsonPropertyDescription(
      "Why it is not included, as a CamelCase word: NotInSpecVolumes (spec.volumes names "
          + "others) or MemoryDump (a memoryDump volume, not a disk of the guest).")
  @io.fabric8.generator.annotation.Size(max = 128)
  private String reason;

  public ExcludedVolume() {}

  public ExcludedVolume(
      String volume, String persistentVolumeClaim, Boolean hotplugged, String reason) {
    this.volume = volume;
    this.persistentVolumeClaim = persistentVolumeClaim;
    this.hotplugged = hotplugged;
    this.reason = reason;
  }

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

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
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

  @Override
  public String toString() {
    return volume + " (" + reason + ")";
  }
}
