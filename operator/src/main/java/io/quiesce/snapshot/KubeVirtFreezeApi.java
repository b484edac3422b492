package io.quiesce.snapshot;

import java.time.Duration;
import java.util.List;

/**
 * KubeVirt's subresources of a VirtualMachineInstance that the {@code kubevirt-api} channel uses:
 * {@code freeze}, {@code unfreeze}, and the guest agent's reports {@code filesystemlist} and {@code
 * guestosinfo} (group {@code subresources.kubevirt.io}, version {@code v1}).
 */
public interface KubeVirtFreezeApi {

  /**
   * {@code PUT .../virtualmachineinstances/{name}/freeze}; virt-launcher thaws by itself once
   * {@code unfreezeTimeout} passes.
   *
   * @throws KubeVirtFreezeException when KubeVirt refuses or the guest agent could not freeze
   */
  void freeze(String namespace, String name, Duration unfreezeTimeout)
      throws KubeVirtFreezeException;

  /** {@code PUT .../virtualmachineinstances/{name}/unfreeze}. */
  void unfreeze(String namespace, String name) throws KubeVirtFreezeException;

  /**
   * {@code GET .../virtualmachineinstances/{name}/filesystemlist}: the guest's filesystems as
   * virt-launcher last read them from the agent ({@code guest-get-fsinfo}).
   */
  List<KubeVirtFilesystem> filesystemList(String namespace, String name)
      throws KubeVirtFreezeException;

  /**
   * {@code GET .../virtualmachineinstances/{name}/guestosinfo}: virt-launcher's cached agent data,
   * of which only {@code fsFreezeStatus} and {@code fsInfo.disks} are read.
   */
  GuestAgentInfo guestOsInfo(String namespace, String name) throws KubeVirtFreezeException;

  /** One entry of KubeVirt's {@code VirtualMachineInstanceFileSystem} list. */
  record KubeVirtFilesystem(String diskName, String mountPoint, String fileSystemType) {}

  /**
   * The parts of KubeVirt's {@code VirtualMachineInstanceGuestAgentInfo} the channel reads.
   *
   * @param fsFreezeStatus {@code frozen} while frozen, else empty or null
   * @param filesystems {@code fsInfo.disks}
   */
  record GuestAgentInfo(String fsFreezeStatus, List<KubeVirtFilesystem> filesystems) {}

  /** KubeVirt answered with an error, or did not answer in time. */
  final class KubeVirtFreezeException extends Exception {
    public KubeVirtFreezeException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
