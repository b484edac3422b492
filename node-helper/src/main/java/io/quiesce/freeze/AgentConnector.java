package io.quiesce.freeze;

import io.quiesce.agent.AgentException;
import io.quiesce.agent.GuestAgent;

/**
 * Opens a connection to a guest's agent (the agent's unix socket directly, or through libvirt). QGA
 * serves one client at a time, so the {@link FreezeEngine} is the only caller and holds at most one
 * open connection per guest.
 */
@FunctionalInterface
public interface AgentConnector {

  /**
   * Opens a new connection; bounded in time like every agent call.
   *
   * @throws AgentException when the agent cannot be reached
   */
  GuestAgent open(GuestRef guest);

  /**
   * Looks again where the guest is, after a thaw attempt failed: a guest that migrated while frozen
   * is no longer behind the socket its freeze used. Bounded in time; never throws.
   */
  default Reroute reroute(GuestRef guest) {
    return Reroute.UNCHANGED;
  }
}
