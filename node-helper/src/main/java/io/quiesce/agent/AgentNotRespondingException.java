package io.quiesce.agent;

import io.quiesce.status.Reason;
import java.time.Duration;

/**
 * The agent did not answer within the timeout of a call phase. The guest may still carry the
 * command out later (a freeze that timed out can still freeze): callers that froze must check the
 * freeze status and thaw.
 */
public final class AgentNotRespondingException extends AgentException {

  /** Which part of a call ran out of time. */
  public enum Phase {
    /** opening the unix socket */
    CONNECT,
    /**
     * the handshake that opens a session: {@code guest-sync-delimited} on the agent socket (no
     * agent, a busy agent, or another client holds the socket), or auth, open and domain lookup on
     * a libvirt daemon
     */
    SYNC,
    /** waiting for the reply to the command itself */
    COMMAND
  }

  private final Phase phase;
  private final String command;
  private final Duration timeout;

  public AgentNotRespondingException(Phase phase, String command, Duration timeout) {
    super(
        "agent did not answer "
            + command
            + " within "
            + timeout.toMillis()
            + " ms (phase "
            + phase.name().toLowerCase()
            + ")",
        null);
    this.phase = phase;
    this.command = command;
    this.timeout = timeout;
  }

  public Phase phase() {
    return phase;
  }

  /** The command the call was for. */
  public String command() {
    return command;
  }

  public Duration timeout() {
    return timeout;
  }

  @Override
  public String reason() {
    return Reason.AGENT_NOT_RESPONDING.wire();
  }
}
