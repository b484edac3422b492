package io.quiesce.testkit.kube.kubevirt;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A FAKE guest agent for {@link FakeKubeVirtApi}, for tests that need no real guest: it keeps a
 * frozen flag, lists the filesystems it is given, and counts its freezes and thaws. Like a Linux
 * qemu-guest-agent it never thaws by itself and refuses a second freeze.
 */
public final class FakeGuestAgent implements KubeVirtGuestBackend {
  private final List<Filesystem> filesystems;
  private final AtomicInteger freezes = new AtomicInteger();
  private final AtomicInteger thaws = new AtomicInteger();
  private volatile boolean frozen;

  public FakeGuestAgent(List<Filesystem> filesystems) {
    this.filesystems = List.copyOf(filesystems);
  }

  /** A guest with one ext4 filesystem on /data. */
  public static FakeGuestAgent withOneDataDisk() {
    return new FakeGuestAgent(List.of(new Filesystem("vdb", "/data", "ext4")));
  }

  @Override
  public boolean frozen() {
    return frozen;
  }

  @Override
  public synchronized int freeze() {
    if (frozen) {
      throw new IllegalStateException(
          "Command guest-fsfreeze-freeze has been disabled: the agent is in frozen state");
    }
    frozen = true;
    freezes.incrementAndGet();
    return filesystems.size();
  }

  @Override
  public synchronized int thaw() {
    int thawed = frozen ? filesystems.size() : 0;
    frozen = false;
    thaws.incrementAndGet();
    return thawed;
  }

  @Override
  public List<Filesystem> filesystems() {
    if (frozen) {
      throw new IllegalStateException(
          "Command guest-get-fsinfo has been disabled: the agent is in frozen state");
    }
    return filesystems;
  }

  @Override
  public String agentVersion() {
    return "fake-7.2";
  }

  public int freezes() {
    return freezes.get();
  }

  public int thaws() {
    return thaws.get();
  }
}
