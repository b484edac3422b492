package io.quiesce.agent;

/** What {@code guest-fsfreeze-status} reports. */
public enum FreezeState {
  THAWED,
  FROZEN
}
