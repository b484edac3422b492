package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** A VMI's firmware; only its UUID is modelled. */
public class Firmware extends OpenObject {
  private String uuid;

  /**
   * The firmware (SMBIOS system) UUID. virt-controller sets it on every VM's instance; libvirt then
   * gives the VMI's domain this UUID.
   */
  public String getUuid() {
    return uuid;
  }

  public void setUuid(String uuid) {
    this.uuid = uuid;
  }
}
