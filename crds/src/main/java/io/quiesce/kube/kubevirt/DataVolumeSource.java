package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** A volume backed by a CDI DataVolume (and so by the PVC of the same name). */
public class DataVolumeSource extends OpenObject {
  private String name;
  private Boolean hotpluggable;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Boolean getHotpluggable() {
    return hotpluggable;
  }

  public void setHotpluggable(Boolean hotpluggable) {
    this.hotpluggable = hotpluggable;
  }
}
