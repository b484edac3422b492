package io.quiesce.freeze;

import java.util.List;

/** The guests the helper serves on its node: what start-up recovery checks. */
@FunctionalInterface
public interface GuestInventory {

  /** The guests to check, each at most once. */
  List<GuestRef> guests();
}
