package io.quiesce.freeze;

import io.quiesce.agent.AgentException;

/**
 * A failure the {@link FakeGuestAgent} injects, with the reason a real client would give (e.g.
 * {@code AgentTimeout}).
 */
public final class FakeAgentException extends AgentException {
  private final String reason;

  public FakeAgentException(String reason, String message) {
    super(message, null);
    this.reason = reason;
  }

  @Override
  public String reason() {
    return reason;
  }
}
