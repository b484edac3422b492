package io.quiesce.window;

/**
 * How waiting for the cuts of a window ended.
 *
 * @param kind what happened
 * @param detail the VolumeSnapshot error, or what aborted the wait
 */
record CutOutcome(Kind kind, String detail) {

  enum Kind {
    /** Every VolumeSnapshot has {@code status.creationTime}, before the freeze deadline. */
    ALL_CUT,
    /** A VolumeSnapshot reported {@code status.error}. */
    FAILED,
    /** Not every VolumeSnapshot was cut by the freeze deadline. */
    TIMED_OUT,
    /** The QuiescedSnapshot was deleted. */
    DELETED,
    /** The helper is stopping. */
    SHUTDOWN,
    /** An emergency thaw of the VM was requested. */
    EMERGENCY
  }

  static CutOutcome of(Kind kind) {
    return new CutOutcome(kind, null);
  }
}
