package io.quiesce.freeze;

/** Who brought a freeze to its end. */
public enum ThawedBy {
  /** The caller asked for the thaw before the deadline and it completed without help. */
  CALLER,
  /**
   * The watchdog thawed at the deadline (the caller had not thawed, or was stuck in an agent call).
   */
  WATCHDOG,
  /** The helper process was shutting down and thawed everything it had frozen. */
  SHUTDOWN,
  /** An emergency thaw was requested for the guest ({@code kubectl quiesce thaw}). */
  EMERGENCY
}
