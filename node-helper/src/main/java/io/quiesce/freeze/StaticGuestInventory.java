package io.quiesce.freeze;

import java.util.LinkedHashSet;
import java.util.List;

/** A fixed list of guests, e.g. the agent sockets named on the command line. */
public final class StaticGuestInventory implements GuestInventory {
  private final List<GuestRef> guests;

  /** Keeps the given order and drops duplicates. */
  public StaticGuestInventory(List<GuestRef> guests) {
    this.guests = List.copyOf(new LinkedHashSet<>(guests));
  }

  @Override
  public List<GuestRef> guests() {
    return guests;
  }
}
