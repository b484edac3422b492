package io.quiesce.freeze;

import io.quiesce.status.Reason;

/**
 * The guest already has a freeze of ours (or a thaw still pending) behind it. Fails fast: the
 * caller retries later; waiting here would only stretch the other freeze's window.
 */
public final class FreezeInProgressException extends FreezeException {
  public FreezeInProgressException(GuestRef guest) {
    super(
        Reason.FREEZE_IN_PROGRESS.wire(),
        "a freeze of " + guest + " is already in progress or its thaw is pending",
        null);
  }
}
