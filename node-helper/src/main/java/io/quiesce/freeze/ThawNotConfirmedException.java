package io.quiesce.freeze;

import io.quiesce.status.Reason;

/**
 * The agent did not confirm the guest thawed within the configured total time. The guest stays on
 * the engine's needs-thaw list, which a background loop keeps working on.
 */
public final class ThawNotConfirmedException extends FreezeException {
  public ThawNotConfirmedException(GuestRef guest, String lastError) {
    super(
        Reason.THAW_NOT_CONFIRMED.wire(),
        "thaw of " + guest + " not confirmed: " + lastError,
        null);
  }
}
