package io.quiesce.snapshot;

import io.quiesce.snapshot.KubeVirtFreezeApi.KubeVirtFilesystem;
import io.quiesce.status.Reason;
import java.util.List;
import java.util.Set;

/**
 * Whether KubeVirt's own reports confirm a freeze made through its {@code freeze} subresource.
 * KubeVirt's answer to the freeze carries no count (virt-launcher drops the one libvirt returns),
 * and the VMI's {@code status.fsFreezeStatus} comes from virt-launcher's poll of the agent (every 5
 * s by default), so a short window may end before it reads {@code frozen}. The window is never held
 * open for that poll (a frozen guest is a stalled VM); the freeze counts as confirmed by either
 *
 * <ul>
 *   <li>{@link Evidence#REPORTED_FROZEN}: {@code fsFreezeStatus} read {@code frozen} before the
 *       unfreeze, or
 *   <li>{@link Evidence#FREEZE_REPLY}: KubeVirt's freeze is synchronous (it answers after
 *       virt-launcher's {@code virDomainFSFreeze} returned) and the VMI read not frozen just before
 *       it, so the success was a freeze and not KubeVirt's no-op on a guest already frozen;
 * </ul>
 *
 * and the guest's filesystems as KubeVirt lists them ({@code filesystemlist}, else {@code
 * guestosinfo}'s {@code fsInfo.disks}): the agent's {@code guest-get-fsinfo}, built from the same
 * mount list that {@code guest-fsfreeze-freeze} walks. Their number is recorded as {@code
 * filesystemsFrozen}. Pure: the caller gathers the reports.
 */
final class KubeVirtFreezeConfirmation {
  /** What says KubeVirt froze the guest for this snapshot. */
  enum Evidence {
    /** {@code status.fsFreezeStatus} read {@code frozen} during the window. */
    REPORTED_FROZEN("KubeVirtStatus"),
    /** The synchronous freeze succeeded on a guest the VMI read not frozen just before. */
    FREEZE_REPLY("KubeVirtFreezeReply"),
    /**
     * Neither: the VMI could not be read before the freeze, so a success may have been KubeVirt's
     * no-op.
     */
    NONE(null);

    final String confirmedBy;

    Evidence(String confirmedBy) {
      this.confirmedBy = confirmedBy;
    }
  }

  /**
   * Freeze record reasons of a window whose cuts all happened but whose freeze KubeVirt did not
   * confirm.
   */
  static final Set<String> UNCONFIRMED =
      Set.of(
          Reason.FREEZE_NOT_CONFIRMED.wire(),
          Reason.NO_FILESYSTEMS_LISTED.wire(),
          Reason.FILESYSTEM_LIST_UNAVAILABLE.wire());

  private KubeVirtFreezeConfirmation() {}

  /** The guest filesystems KubeVirt listed, or why it could not say. */
  sealed interface Listing {}

  /** KubeVirt listed these filesystems; {@code source} names the subresource that did. */
  record Listed(List<KubeVirtFilesystem> filesystems, String source) implements Listing {}

  /** Neither subresource answered. */
  record Unavailable(String error) implements Listing {}

  /**
   * The verdict.
   *
   * @param filesystems the count to record as {@code filesystemsFrozen}; null unless confirmed
   * @param reason null when confirmed, else one of {@link #UNCONFIRMED}
   * @param confirmedBy when confirmed, what confirmed it ({@code status.freeze.confirmedBy})
   */
  record Verdict(Integer filesystems, String reason, String message, String confirmedBy) {
    Verdict(Integer filesystems, String reason, String message) {
      this(filesystems, reason, message, null);
    }

    boolean confirmed() {
      return reason == null;
    }
  }

  /**
   * @param evidence what says the freeze was KubeVirt's freeze for this snapshot
   * @param listing the guest filesystems KubeVirt listed during the window
   */
  static Verdict judge(Evidence evidence, Listing listing) {
    if (evidence == Evidence.NONE) {
      return new Verdict(
          null,
          Reason.FREEZE_NOT_CONFIRMED.wire(),
          "KubeVirt accepted the freeze, but the VirtualMachineInstance "
              + "could not be read before it and its status.fsFreezeStatus did not read frozen before the cut: "
              + "the success may have been KubeVirt's no-op on a guest someone else froze");
    }
    if (listing instanceof Unavailable u) {
      return new Verdict(
          null,
          Reason.FILESYSTEM_LIST_UNAVAILABLE.wire(),
          "KubeVirt froze the guest, but listed no " + "filesystems: " + u.error());
    }
    Listed listed = (Listed) listing;
    if (listed.filesystems().isEmpty()) {
      return new Verdict(
          null,
          Reason.NO_FILESYSTEMS_LISTED.wire(),
          "KubeVirt froze the guest, but its " + listed.source() + " lists no guest filesystem");
    }
    return new Verdict(
        listed.filesystems().size(),
        null,
        "KubeVirt froze the guest ("
            + evidence.confirmedBy
            + ") and lists "
            + listed.filesystems().size()
            + " filesystem(s) ("
            + listed.source()
            + ")",
        evidence.confirmedBy);
  }
}
