package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The channel through which a guest was frozen. */
public enum FreezeMethod {
  /** The QEMU guest agent protocol, straight over the VM's agent socket. */
  @JsonProperty("qga")
  QGA,
  /** Through the libvirt daemon that holds the agent socket (KubeVirt virt-launcher pods). */
  @JsonProperty("libvirt")
  LIBVIRT,
  /** Through KubeVirt's freeze/unfreeze subresources of the VirtualMachineInstance. */
  @JsonProperty("kubevirt-api")
  KUBEVIRT_API
}
