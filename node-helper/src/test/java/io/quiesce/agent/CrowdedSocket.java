package io.quiesce.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills a unix listener's accept queue with idle connections, so that the next blocking {@code
 * connect()} waits: what a client meets when the agent socket is held (libvirt in KubeVirt) and
 * earlier attempts are still queued.
 */
final class CrowdedSocket implements AutoCloseable {

  private static final int MAX_QUEUED = 64;

  private final List<SocketChannel> queued = new ArrayList<>();

  private CrowdedSocket() {}

  /** Connects without blocking until the kernel refuses with EAGAIN: the queue is full. */
  static CrowdedSocket fill(Path socket) throws IOException {
    CrowdedSocket crowd = new CrowdedSocket();
    try {
      while (crowd.queued.size() < MAX_QUEUED) {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.configureBlocking(false);
        try {
          c.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException full) {
          c.close();
          return crowd;
        }
        crowd.queued.add(c);
      }
      throw new IllegalStateException("accept queue of " + socket + " never filled up");
    } catch (IOException | RuntimeException e) {
      crowd.close();
      throw e;
    }
  }

  /** How many connections wait in the queue. */
  int queued() {
    return queued.size();
  }

  @Override
  public void close() throws IOException {
    for (SocketChannel c : queued) {
      c.close();
    }
  }
}
