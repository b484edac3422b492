package io.quiesce.agent;

/** Base of the typed failures of a {@link GuestAgent} call. */
public abstract class AgentException extends RuntimeException {
  protected AgentException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A short, stable reason for conditions, metrics and exit messages, e.g. {@code AgentTimeout}.
   */
  public abstract String reason();
}
