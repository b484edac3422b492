package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** The libvirt domain KubeVirt builds; only its devices and firmware are modelled. */
public class DomainSpec extends OpenObject {
  private Devices devices;
  private Firmware firmware;

  public Firmware getFirmware() {
    return firmware;
  }

  public void setFirmware(Firmware firmware) {
    this.firmware = firmware;
  }

  public Devices getDevices() {
    return devices;
  }

  public void setDevices(Devices devices) {
    this.devices = devices;
  }
}
