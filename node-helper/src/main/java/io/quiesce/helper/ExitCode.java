package io.quiesce.helper;

/** The command line's exit codes; scripts rely on them. */
public enum ExitCode {
  /** Done. */
  OK(0),
  /** Something unexpected, e.g. this build has no agent client. */
  INTERNAL_ERROR(1),
  /** The command line was wrong. */
  USAGE(2),
  /** The agent did not answer in time. */
  TIMEOUT(3),
  /**
   * The agent answered with an error, could not be reached, or a guest could not be confirmed
   * thawed.
   */
  AGENT_ERROR(4);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
