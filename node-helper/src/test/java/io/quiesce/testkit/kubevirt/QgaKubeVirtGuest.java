package io.quiesce.testkit.kubevirt;

import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.testkit.kube.kubevirt.KubeVirtGuestBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The binding of the test kit's FAKE KubeVirt ({@link
 * io.quiesce.testkit.kube.kubevirt.FakeKubeVirtApi}) to a REAL guest: each call is one connection
 * to the guest's real qemu-guest-agent through the node helper's own QGA client, opened and closed
 * per call (as libvirt's {@code qemu-agent-command} is a single exchange), so the socket is never
 * held between calls.
 */
public final class QgaKubeVirtGuest implements KubeVirtGuestBackend {
  private final Path agentSocket;

  public QgaKubeVirtGuest(Path agentSocket) {
    this.agentSocket = agentSocket;
  }

  @Override
  public boolean frozen() {
    return call(c -> c.freezeStatus() == FreezeState.FROZEN);
  }

  @Override
  public int freeze() {
    return call(c -> c.freeze(List.of()));
  }

  @Override
  public int thaw() {
    return call(QgaClient::thaw);
  }

  @Override
  public List<Filesystem> filesystems() {
    return call(
        c ->
            c.filesystems().stream()
                .map(f -> new Filesystem(f.name(), f.mountpoint(), f.type()))
                .toList());
  }

  @Override
  public String agentVersion() {
    return call(c -> c.info().version());
  }

  private <T> T call(Function<QgaClient, T> command) {
    try (QgaClient client = new QgaClient(agentSocket)) {
      return command.apply(client);
    }
  }
}
