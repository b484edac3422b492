package io.quiesce.agent;

import io.quiesce.status.Reason;

/** The agent answered a command with an error not covered by a more specific type. */
public class AgentCommandFailedException extends AgentException {

  private final String command;
  private final String errorClass;
  private final String agentMessage;

  public AgentCommandFailedException(String command, String errorClass, String agentMessage) {
    super(command + " failed: " + errorClass + ": " + agentMessage, null);
    this.command = command;
    this.errorClass = errorClass;
    this.agentMessage = agentMessage;
  }

  public String command() {
    return command;
  }

  /** The agent's error class, e.g. {@code GenericError}. */
  public String errorClass() {
    return errorClass;
  }

  /** The agent's own description of the error. */
  public String agentMessage() {
    return agentMessage;
  }

  @Override
  public String reason() {
    return Reason.AGENT_COMMAND_FAILED.wire();
  }
}
