package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;
import java.util.List;

/** The parts of an instance spec Quiesce reads: the domain's disks and the volumes behind them. */
public class VirtualMachineInstanceSpec extends OpenObject {
  private DomainSpec domain;
  private List<Volume> volumes;

  public DomainSpec getDomain() {
    return domain;
  }

  public void setDomain(DomainSpec domain) {
    this.domain = domain;
  }

  public List<Volume> getVolumes() {
    return volumes;
  }

  public void setVolumes(List<Volume> volumes) {
    this.volumes = volumes;
  }
}
