package io.quiesce.agent;

import io.quiesce.status.Reason;

/** The agent refused or failed a freeze; {@link #agentMessage()} says why. */
public class FreezeFailedException extends AgentCommandFailedException {

  public FreezeFailedException(String command, String errorClass, String agentMessage) {
    super(command, errorClass, agentMessage);
  }

  @Override
  public String reason() {
    return Reason.FREEZE_FAILED.wire();
  }
}
