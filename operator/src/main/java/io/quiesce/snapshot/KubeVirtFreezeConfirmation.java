package io.quiesce.snapshot;

import io.quiesce.snapshot.KubeVirtFreezeApi.KubeVirtFilesystem;
import java.util.List;
import java.util.Set;

/**
 * Whether KubeVirt's own reports confirm a freeze made through its {@code freeze} subresource.
 * KubeVirt's answer to the freeze carries no count (virt-launcher drops the one libvirt returns), so
 * the channel confirms from what KubeVirt reports afterwards, while the guest is still frozen:
 * <ul>
 *   <li>the VMI's {@code status.fsFreezeStatus} reads {@code frozen}: virt-launcher polls the agent's
 *       {@code guest-fsfreeze-status} (every 5 s by default) and virt-handler copies it to the VMI;</li>
 *   <li>the guest's filesystems as KubeVirt lists them ({@code filesystemlist}, else
 *       {@code guestosinfo}'s {@code fsInfo.disks}): the agent's {@code guest-get-fsinfo}, built from the
 *       same mount list that {@code guest-fsfreeze-freeze} walks. Their number is recorded as
 *       {@code filesystemsFrozen}.</li>
 * </ul>
 * Pure: the caller gathers the reports.
 */
final class KubeVirtFreezeConfirmation {
    /** The VMI never reported {@code fsFreezeStatus: frozen} before the window ended. */
    static final String NOT_CONFIRMED = "FreezeNotConfirmed";
    /** KubeVirt listed no guest filesystem: nothing is known to have been frozen. */
    static final String NO_FILESYSTEMS_LISTED = "NoFilesystemsListed";
    /** Neither {@code filesystemlist} nor {@code guestosinfo} answered. */
    static final String FILESYSTEM_LIST_UNAVAILABLE = "FilesystemListUnavailable";
    /** Freeze record reasons of a window whose cuts all happened but whose freeze KubeVirt did not confirm. */
    static final Set<String> UNCONFIRMED = Set.of(NOT_CONFIRMED, NO_FILESYSTEMS_LISTED, FILESYSTEM_LIST_UNAVAILABLE);

    private KubeVirtFreezeConfirmation() {
    }

    /** The guest filesystems KubeVirt listed, or why it could not say. */
    sealed interface Listing {
    }

    /** KubeVirt listed these filesystems; {@code source} names the subresource that did. */
    record Listed(List<KubeVirtFilesystem> filesystems, String source) implements Listing {
    }

    /** Neither subresource answered. */
    record Unavailable(String error) implements Listing {
    }

    /**
     * The verdict.
     *
     * @param filesystems the count to record as {@code filesystemsFrozen}; null unless confirmed
     * @param reason      null when confirmed, else one of {@link #UNCONFIRMED}
     */
    record Verdict(Integer filesystems, String reason, String message) {
        boolean confirmed() {
            return reason == null;
        }
    }

    /**
     * @param frozenReported whether the VMI's {@code status.fsFreezeStatus} read {@code frozen} after
     *                       KubeVirt's freeze returned and before the unfreeze
     * @param listing        the guest filesystems KubeVirt listed during the window
     */
    static Verdict judge(boolean frozenReported, Listing listing) {
        if (!frozenReported) {
            return new Verdict(null, NOT_CONFIRMED, "KubeVirt accepted the freeze, but the VirtualMachineInstance's "
                    + "status.fsFreezeStatus did not read frozen before the window ended");
        }
        if (listing instanceof Unavailable u) {
            return new Verdict(null, FILESYSTEM_LIST_UNAVAILABLE, "KubeVirt reported the guest frozen, but listed no "
                    + "filesystems: " + u.error());
        }
        Listed listed = (Listed) listing;
        if (listed.filesystems().isEmpty()) {
            return new Verdict(null, NO_FILESYSTEMS_LISTED, "KubeVirt reported the guest frozen, but its "
                    + listed.source() + " lists no guest filesystem");
        }
        return new Verdict(listed.filesystems().size(), null, "KubeVirt reported the guest frozen and lists "
                + listed.filesystems().size() + " filesystem(s) (" + listed.source() + ")");
    }
}
