package io.quiesce.agent;

import io.quiesce.status.Reason;

/** The agent's socket is missing, refuses connections, or was closed while a call used it. */
public final class AgentUnavailableException extends AgentException {

  public AgentUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String reason() {
    return Reason.AGENT_UNAVAILABLE.wire();
  }
}
