package io.quiesce.libvirt;

import io.quiesce.agent.AgentCommandUnavailableException;
import io.quiesce.agent.AgentException;
import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.QgaErrors;
import io.quiesce.status.BoundedText;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a libvirt error reply to the typed agent failures the freeze engine and the command line act
 * on, so that the libvirt channel fails exactly like the direct one.
 */
final class LibvirtErrors {

  /**
   * How libvirt relays an error the guest agent returned (VIR_ERR_INTERNAL_ERROR, after "internal
   * error: ").
   */
  private static final Pattern AGENT_ERROR =
      Pattern.compile("unable to execute QEMU agent command '[^']*': (.*)", Pattern.DOTALL);

  private LibvirtErrors() {}

  /**
   * @param command the agent command the call stands for, e.g. {@code guest-fsfreeze-freeze}
   * @param timeout the call's timeout, for "did not answer in time"
   */
  static AgentException toException(String command, LibvirtError error, Duration timeout) {
    // libvirt relays the guest agent's text: bound it before anything quotes it
    String message = BoundedText.error(error.message());
    switch (error.code()) {
      case LibvirtError.AGENT_UNRESPONSIVE:
        // "QEMU guest agent is not connected": the guest has no agent (yet); otherwise the
        // agent did not answer libvirt in time (the command may still take effect)
        if (message.contains("not connected")) {
          return new AgentUnavailableException("agent not connected (libvirt): " + message, null);
        }
        return new AgentNotRespondingException(
            AgentNotRespondingException.Phase.COMMAND, command, timeout);
      case LibvirtError.OPERATION_TIMEOUT:
        // the domain's job lock is held, e.g. by an earlier agent call still waiting for the agent
        return new AgentNotRespondingException(
            AgentNotRespondingException.Phase.COMMAND, command, timeout);
      case LibvirtError.NO_DOMAIN,
      LibvirtError.OPERATION_INVALID,
      LibvirtError.AUTH_FAILED,
      LibvirtError.ACCESS_DENIED:
        return new AgentUnavailableException(
            "libvirt refused " + command + ": " + BoundedText.error(error.toString()), null);
      case LibvirtError.NO_SUPPORT,
      LibvirtError.ARGUMENT_UNSUPPORTED,
      LibvirtError.OPERATION_UNSUPPORTED:
        return new AgentCommandUnavailableException(command, error.errorClass(), message);
      default:
        break;
    }
    Matcher agent = AGENT_ERROR.matcher(message);
    if (agent.find()) {
      String desc = agent.group(1);
      return QgaErrors.toException(command, agentErrorClass(desc), desc);
    }
    return QgaErrors.toException(command, error.errorClass(), message);
  }

  /**
   * libvirt passes on the agent's description but not its error class: recover the two that matter.
   */
  private static String agentErrorClass(String desc) {
    if (desc.contains("has been disabled")) {
      return "CommandDisabled";
    }
    if (desc.contains("has not been found")) {
      return "CommandNotFound";
    }
    return "GenericError";
  }
}
