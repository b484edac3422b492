package io.quiesce.freeze;

/**
 * A check before the freeze command refused the freeze, or explained why the guest refused it:
 * {@link #reason()} is one of {@link GuestPreflight#REASONS}, the message says how to fix it.
 * Nothing is frozen because of the freeze this refers to.
 */
public final class GuestPreflightException extends FreezeException {
  public GuestPreflightException(String reason, String message, Throwable cause) {
    super(reason, message, cause);
  }
}
