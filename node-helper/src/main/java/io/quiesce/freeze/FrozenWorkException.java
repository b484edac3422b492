package io.quiesce.freeze;

import io.quiesce.status.Reason;

/**
 * The work run by {@link FreezeEngine#runFrozen} failed; the guest was thawed and {@link #window()}
 * says how.
 */
public final class FrozenWorkException extends FreezeException {
  private final transient FreezeWindow window;

  public FrozenWorkException(FreezeWindow window, Throwable cause) {
    super(Reason.FROZEN_WORK_FAILED.wire(), "work while frozen failed: " + cause, cause);
    this.window = window;
  }

  /** The freeze window, thawed. */
  public FreezeWindow window() {
    return window;
  }
}
