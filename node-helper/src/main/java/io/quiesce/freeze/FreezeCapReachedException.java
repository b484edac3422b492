package io.quiesce.freeze;

import io.quiesce.status.Reason;
import java.time.Duration;

/** No freeze slot of this node became free within the configured wait. */
public final class FreezeCapReachedException extends FreezeException {
  public FreezeCapReachedException(int cap, Duration waited) {
    super(
        Reason.NODE_FREEZE_CAP_REACHED.wire(),
        cap
            + " freezes already running on this node; no slot free within "
            + waited.toMillis()
            + " ms",
        null);
  }
}
