package io.quiesce.agent;

/**
 * Maps an agent's {@code {"error":{"class","desc"}}} reply to the typed failure callers act on.
 * Public for the libvirt channel, which relays the agent's errors inside libvirt errors.
 */
public final class QgaErrors {

    /** What a Windows agent's thaw says when VSS let go of the writes before the thaw came. */
    static final String VSS_HOLD_LIMIT = "fsfreeze is limited";

    private QgaErrors() {
    }

    /** The typed failure for an agent error of {@code errorClass} with description {@code desc}. */
    public static AgentException toException(String command, String errorClass, String desc) {
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
