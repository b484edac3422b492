package io.quiesce.agent;

import io.quiesce.status.Reason;

/**
 * A freeze was refused because the guest is already frozen (Linux agents disable the freeze
 * commands while frozen). Someone else's freeze, or one of ours that timed out, is still in force.
 */
public final class AlreadyFrozenException extends FreezeFailedException {

  public AlreadyFrozenException(String command, String errorClass, String agentMessage) {
    super(command, errorClass, agentMessage);
  }

  @Override
  public String reason() {
    return Reason.ALREADY_FROZEN.wire();
  }
}
