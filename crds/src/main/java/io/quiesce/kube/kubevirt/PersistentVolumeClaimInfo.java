package io.quiesce.kube.kubevirt;

import io.fabric8.kubernetes.api.model.Quantity;
import io.quiesce.kube.OpenObject;
import java.util.List;
import java.util.Map;

/** What KubeVirt saw of the PVC behind a volume. */
public class PersistentVolumeClaimInfo extends OpenObject {
  private String claimName;
  private List<String> accessModes;
  private String volumeMode;
  private Map<String, Quantity> capacity;

  public String getClaimName() {
    return claimName;
  }

  public void setClaimName(String claimName) {
    this.claimName = claimName;
  }

  public List<String> getAccessModes() {
    return accessModes;
  }

  public void setAccessModes(List<String> accessModes) {
    this.accessModes = accessModes;
  }

  public String getVolumeMode() {
    return volumeMode;
  }

  public void setVolumeMode(String volumeMode) {
    this.volumeMode = volumeMode;
  }

  public Map<String, Quantity> getCapacity() {
    return capacity;
  }

  public void setCapacity(Map<String, Quantity> capacity) {
    this.capacity = capacity;
  }
}
