package io.quiesce.agent;

/**
 * The agent does not offer a command: unknown to this agent version ({@code CommandNotFound}) or
 * disabled by the agent's configuration ({@code CommandDisabled}).
 */
public final class AgentCommandUnavailableException extends AgentException {

  private final String command;
  private final String errorClass;

  public AgentCommandUnavailableException(String command, String errorClass, String agentMessage) {
    super(command + " is not available: " + errorClass + ": " + agentMessage, null);
    this.command = command;
    this.errorClass = errorClass;
  }

  public String command() {
    return command;
  }

  /** {@code CommandNotFound} or {@code CommandDisabled}, as the agent said. */
  @Override
  public String reason() {
    return errorClass;
  }
}
