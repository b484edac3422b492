package io.quiesce.helper;

import io.quiesce.agent.AgentException;
import io.quiesce.agent.GuestAgent;
import java.time.Duration;

/** Opens a guest agent connection for a target; every call on it then uses {@code timeout}. */
@FunctionalInterface
public interface AgentOpener {

  /**
   * @throws AgentException when the agent cannot be reached
   */
  GuestAgent open(AgentTarget target, Duration timeout);
}
