package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** Status of one volume of an instance: its target device in the guest and, for PVCs, the claim. */
public class VolumeStatus extends OpenObject {
  private String name;

  /** Device name in the guest, e.g. "vda". */
  private String target;

  private String phase;
  private String reason;
  private String message;
  private PersistentVolumeClaimInfo persistentVolumeClaimInfo;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public PersistentVolumeClaimInfo getPersistentVolumeClaimInfo() {
    return persistentVolumeClaimInfo;
  }

  public void setPersistentVolumeClaimInfo(PersistentVolumeClaimInfo persistentVolumeClaimInfo) {
    this.persistentVolumeClaimInfo = persistentVolumeClaimInfo;
  }
}
