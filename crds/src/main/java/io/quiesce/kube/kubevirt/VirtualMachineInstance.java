package io.quiesce.kube.kubevirt;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.kube.SpecAndStatusResource;

/**
 * A running (or starting, or finished) instance of a virtual machine, with its node and agent
 * state.
 */
@Group(VirtualMachine.GROUP)
@Version(VirtualMachine.VERSION)
@Plural("virtualmachineinstances")
public class VirtualMachineInstance
    extends SpecAndStatusResource<VirtualMachineInstanceSpec, VirtualMachineInstanceStatus>
    implements Namespaced {}
