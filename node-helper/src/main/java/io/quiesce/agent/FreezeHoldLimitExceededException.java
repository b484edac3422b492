package io.quiesce.agent;

import io.quiesce.status.Reason;

/**
 * The thaw reported that the guest could not hold the freeze as long as it was asked to: Windows'
 * VSS releases writes after about 10 s and the thaw then answers {@code fsfreeze is limited up to
 * 10 seconds}. The snapshot cut after that point may not be consistent.
 */
public final class FreezeHoldLimitExceededException extends AgentCommandFailedException {

  public FreezeHoldLimitExceededException(String command, String errorClass, String agentMessage) {
    super(command, errorClass, agentMessage);
  }

  @Override
  public String reason() {
    return Reason.VSS_HOLD_LIMIT_EXCEEDED.wire();
  }
}
