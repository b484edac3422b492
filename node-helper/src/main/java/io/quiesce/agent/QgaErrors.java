package io.quiesce.agent;

import io.quiesce.status.BoundedText;

/**
 * Maps an agent's {@code {"error":{"class","desc"}}} reply to the typed failure callers act on.
 * Public for the libvirt channel, which relays the agent's errors inside libvirt errors.
 *
 * <p>The guest chooses the description (up to a whole reply line): it is bounded and stripped of
 * control characters here, where it enters, so no exception, log, Event or status carries more.
 */
public final class QgaErrors {

  /** What a Windows agent's thaw says when VSS let go of the writes before the thaw came. */
  static final String VSS_HOLD_LIMIT = "fsfreeze is limited";

  /** QMP error classes are short CamelCase words; a guest may send anything. */
  private static final int MAX_CLASS = 64;

  private QgaErrors() {}

  /** The typed failure for an agent error of {@code errorClass} with description {@code desc}. */
  public static AgentException toException(String command, String errorClass, String desc) {
    errorClass = BoundedText.bound(errorClass, MAX_CLASS);
    desc = BoundedText.error(desc);
    if ("CommandNotFound".equals(errorClass) || "CommandDisabled".equals(errorClass)) {
      return new AgentCommandUnavailableException(command, errorClass, desc);
    }
    if (isFreeze(command)) {
      return new FreezeFailedException(command, errorClass, desc);
    }
    if (QgaClient.THAW.equals(command) && desc.contains(VSS_HOLD_LIMIT)) {
      return new FreezeHoldLimitExceededException(command, errorClass, desc);
    }
    return new AgentCommandFailedException(command, errorClass, desc);
  }

  static boolean isFreeze(String command) {
    return QgaClient.FREEZE.equals(command) || QgaClient.FREEZE_LIST.equals(command);
  }
}
