package io.quiesce.freeze;

import java.util.List;

/**
 * What recovery did, one entry per guest in the inventory's order.
 *
 * @param guests per-guest results
 */
public record RecoveryReport(List<GuestRecovery> guests) {

  public RecoveryReport {
    guests = List.copyOf(guests);
  }

  /** True when every guest is known to be thawed afterwards. */
  public boolean allThawed() {
    return guests.stream().allMatch(g -> g.action().endedThawed());
  }

  /** How many guests ended with the given action. */
  public long count(RecoveryAction action) {
    return guests.stream().filter(g -> g.action() == action).count();
  }
}
