package io.quiesce.freeze;

/**
 * The guest already has a freeze of ours (or a thaw still pending) behind it. Fails fast: the
 * caller retries later; waiting here would only stretch the other freeze's window.
 */
public final class FreezeInProgressException extends FreezeException {
    public FreezeInProgressException(GuestRef guest) {
        super("FreezeInProgress", "a freeze of " + guest + " is already in progress or its thaw is pending", null);
    }
}
