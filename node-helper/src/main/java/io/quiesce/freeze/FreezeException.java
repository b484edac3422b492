package io.quiesce.freeze;

/** A freeze that could not be made or ended as asked; {@link #reason()} is short and stable. */
public class FreezeException extends RuntimeException {
  private final String reason;

  public FreezeException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /**
   * A short, stable reason for conditions, metrics and exit messages, e.g. {@code
   * FreezeInProgress}.
   */
  public String reason() {
    return reason;
  }
}
