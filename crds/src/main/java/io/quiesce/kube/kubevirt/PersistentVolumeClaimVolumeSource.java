package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** A volume backed directly by a PVC. */
public class PersistentVolumeClaimVolumeSource extends OpenObject {
  private String claimName;
  private Boolean readOnly;
  private Boolean hotpluggable;

  public String getClaimName() {
    return claimName;
  }

  public void setClaimName(String claimName) {
    this.claimName = claimName;
  }

  public Boolean getReadOnly() {
    return readOnly;
  }

  public void setReadOnly(Boolean readOnly) {
    this.readOnly = readOnly;
  }

  public Boolean getHotpluggable() {
    return hotpluggable;
  }

  public void setHotpluggable(Boolean hotpluggable) {
    this.hotpluggable = hotpluggable;
  }
}
