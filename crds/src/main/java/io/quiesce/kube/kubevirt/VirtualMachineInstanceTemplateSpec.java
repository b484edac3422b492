package io.quiesce.kube.kubevirt;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.quiesce.kube.OpenObject;

/** The template a VirtualMachine creates its VirtualMachineInstance from. */
public class VirtualMachineInstanceTemplateSpec extends OpenObject {
  private ObjectMeta metadata;
  private VirtualMachineInstanceSpec spec;

  public ObjectMeta getMetadata() {
    return metadata;
  }

  public void setMetadata(ObjectMeta metadata) {
    this.metadata = metadata;
  }

  public VirtualMachineInstanceSpec getSpec() {
    return spec;
  }

  public void setSpec(VirtualMachineInstanceSpec spec) {
    this.spec = spec;
  }
}
