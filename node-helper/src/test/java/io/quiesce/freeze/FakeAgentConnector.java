package io.quiesce.freeze;

import io.quiesce.agent.GuestAgent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connects each {@link GuestRef} to its own {@link FakeGuestAgent}, created on first use; counts
 * calls in flight across them.
 */
public final class FakeAgentConnector implements AgentConnector {
  private final Map<GuestRef, FakeGuestAgent> agents = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();

  /** The fake agent of {@code guest}. */
  public FakeGuestAgent agent(GuestRef guest) {
    return agents.computeIfAbsent(
        guest, g -> new FakeGuestAgent(FakeGuestAgent.ONE_DATA_FILESYSTEM, inFlight, maxInFlight));
  }

  @Override
  public GuestAgent open(GuestRef guest) {
    return agent(guest).connect();
  }

  /** Most agent calls ever in flight at once across all fakes of this connector. */
  public int maxCallsInFlight() {
    return maxInFlight.get();
  }
}
