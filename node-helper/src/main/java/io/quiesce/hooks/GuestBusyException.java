package io.quiesce.hooks;

/**
 * The guest's agent cannot be opened for hooks now (a freeze or thaw of it is in progress): nothing
 * ran, try the snapshot later.
 */
public final class GuestBusyException extends RuntimeException {
  public GuestBusyException(String message, Throwable cause) {
    super(message, cause);
  }
}
