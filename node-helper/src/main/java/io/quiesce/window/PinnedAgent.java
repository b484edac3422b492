package io.quiesce.window;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestFilesystem;
import io.quiesce.agent.GuestInfo;
import io.quiesce.agent.GuestOsInfo;
import io.quiesce.locate.PinnedSocket;
import java.time.Duration;
import java.util.List;

/**
 * A client on a pinned socket: connects and reconnects go to the inode pinned when the route was
 * opened, and closing the client lets go of the pin.
 */
final class PinnedAgent implements GuestAgent {
  private final GuestAgent agent;
  private final PinnedSocket pinned;

  PinnedAgent(GuestAgent agent, PinnedSocket pinned) {
    this.agent = agent;
    this.pinned = pinned;
  }

  @Override
  public void ping() {
    agent.ping();
  }

  @Override
  public GuestInfo info() {
    return agent.info();
  }

  @Override
  public GuestOsInfo osInfo() {
    return agent.osInfo();
  }

  @Override
  public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
    return agent.execute(command, arguments, timeout);
  }

  @Override
  public FreezeState freezeStatus() {
    return agent.freezeStatus();
  }

  @Override
  public int freeze(List<String> mountpoints) {
    return agent.freeze(mountpoints);
  }

  @Override
  public int thaw() {
    return agent.thaw();
  }

  @Override
  public List<GuestFilesystem> filesystems() {
    return agent.filesystems();
  }

  @Override
  public void close() {
    try {
      agent.close();
    } finally {
      pinned.close();
    }
  }

  @Override
  public String toString() {
    return agent + " on " + pinned;
  }
}
