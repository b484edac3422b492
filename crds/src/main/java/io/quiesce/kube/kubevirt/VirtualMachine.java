package io.quiesce.kube.kubevirt;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.kube.SpecAndStatusResource;

/** A KubeVirt virtual machine: its template and whether it should run. */
@Group(VirtualMachine.GROUP)
@Version(VirtualMachine.VERSION)
@Plural("virtualmachines")
public class VirtualMachine extends SpecAndStatusResource<VirtualMachineSpec, VirtualMachineStatus>
    implements Namespaced {
  public static final String GROUP = "kubevirt.io";
  public static final String VERSION = "v1";
}
