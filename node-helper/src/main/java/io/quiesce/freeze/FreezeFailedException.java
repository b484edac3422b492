package io.quiesce.freeze;

/**
 * The guest could not be frozen. The engine made sure it is thawed before throwing this (or, when
 * it could not, put it on its needs-thaw list and said so in the message).
 */
public final class FreezeFailedException extends FreezeException {
  public FreezeFailedException(String reason, String message, Throwable cause) {
    super(reason, message, cause);
  }
}
