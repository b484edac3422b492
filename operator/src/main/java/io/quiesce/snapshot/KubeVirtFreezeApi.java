package io.quiesce.snapshot;

import java.time.Duration;

/** KubeVirt's freeze and unfreeze subresources of a VirtualMachineInstance. */
public interface KubeVirtFreezeApi {

    /**
     * {@code PUT .../virtualmachineinstances/{name}/freeze}; virt-launcher thaws by itself once
     * {@code unfreezeTimeout} passes.
     *
     * @throws KubeVirtFreezeException when KubeVirt refuses or the guest agent could not freeze
     */
    void freeze(String namespace, String name, Duration unfreezeTimeout) throws KubeVirtFreezeException;

    /** {@code PUT .../virtualmachineinstances/{name}/unfreeze}. */
    void unfreeze(String namespace, String name) throws KubeVirtFreezeException;

    /** KubeVirt answered with an error, or did not answer in time. */
    final class KubeVirtFreezeException extends Exception {
        public KubeVirtFreezeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
