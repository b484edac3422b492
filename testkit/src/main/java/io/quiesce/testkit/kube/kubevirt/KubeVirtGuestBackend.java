package io.quiesce.testkit.kube.kubevirt;

import java.util.List;

/**
 * The guest agent of one VM as virt-launcher reaches it (through libvirt's {@code
 * qemu-agent-command}): what {@link FakeKubeVirtApi} acts on. The test kit cannot depend on the
 * node helper's agent client, so tests bind an implementation; the real-guest tests bind one that
 * talks to the test guest's REAL qemu-guest-agent. Calls of one guest are never concurrent.
 * Failures are runtime exceptions whose message KubeVirt would pass on.
 */
public interface KubeVirtGuestBackend {

  /** {@code guest-fsfreeze-status}: true when frozen. */
  boolean frozen();

  /** {@code guest-fsfreeze-freeze}: the number of filesystems frozen. */
  int freeze();

  /** {@code guest-fsfreeze-thaw}: the number of filesystems thawed. */
  int thaw();

  /** {@code guest-get-fsinfo}; the agent refuses it while frozen. */
  List<Filesystem> filesystems();

  /** {@code guest-info}'s version. */
  String agentVersion();

  /** One entry of {@code guest-get-fsinfo}. */
  record Filesystem(String name, String mountpoint, String type) {}
}
