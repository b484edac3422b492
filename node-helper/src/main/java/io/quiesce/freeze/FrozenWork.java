package io.quiesce.freeze;

import java.time.Instant;

/**
 * Work to do while a guest is frozen, e.g. cutting its VolumeSnapshots.
 *
 * @param <T> what the work produces
 */
@FunctionalInterface
public interface FrozenWork<T> {

  /**
   * Does the work.
   *
   * @param deadline when the watchdog thaws the guest; stop waiting before it, a cut after it is
   *     not filesystem-consistent
   */
  T run(Instant deadline) throws Exception;
}
