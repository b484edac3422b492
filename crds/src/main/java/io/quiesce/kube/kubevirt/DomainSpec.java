package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** The libvirt domain KubeVirt builds; only its devices are modelled. */
public class DomainSpec extends OpenObject {
    private Devices devices;

    public Devices getDevices() {
        return devices;
    }

    public void setDevices(Devices devices) {
        this.devices = devices;
    }
}
