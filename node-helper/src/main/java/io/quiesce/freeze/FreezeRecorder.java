package io.quiesce.freeze;

import java.time.Instant;

/**
 * Told by the {@link FreezeEngine} of the freezes it makes, so that they can be written down where
 * a restarted helper finds them (the node's freeze journal).
 */
public interface FreezeRecorder {

  /** Records nothing (a helper with no journal; the command line). */
  FreezeRecorder NONE =
      new FreezeRecorder() {
        @Override
        public void freezing(GuestRef guest, Instant deadline) {}

        @Override
        public void forget(GuestRef guest) {}

        @Override
        public boolean keepsRecords() {
          return false;
        }
      };

  /**
   * The freeze command is about to be sent. Must have made the record durable when it returns; if
   * it throws, the engine does not freeze.
   */
  void freezing(GuestRef guest, Instant deadline);

  /**
   * This engine has nothing more to do for the guest: its thaw was confirmed (or the freeze was
   * never sent), or it can no longer be reached from this node (it moved away).
   */
  void forget(GuestRef guest);

  /**
   * True when every freeze of this helper is recorded: a guest found frozen that this engine does
   * not hold is then someone else's freeze, which the engine must not thaw.
   */
  default boolean keepsRecords() {
    return true;
  }
}
