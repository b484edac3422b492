package io.quiesce.agent;

import io.quiesce.status.Reason;

/**
 * The peer broke the QGA protocol: a reply that is not JSON, too large, of the wrong type, or not a
 * reply at all. The connection is dropped; the next call starts a fresh one.
 */
public final class AgentProtocolException extends AgentException {

  public AgentProtocolException(String message) {
    this(message, null);
  }

  public AgentProtocolException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String reason() {
    return Reason.AGENT_PROTOCOL_VIOLATION.wire();
  }
}
