package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;
import java.util.List;

/** Devices of the domain; only disks are modelled. */
public class Devices extends OpenObject {
  private List<Disk> disks;

  public List<Disk> getDisks() {
    return disks;
  }

  public void setDisks(List<Disk> disks) {
    this.disks = disks;
  }
}
