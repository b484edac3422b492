package io.quiesce.freeze;

/**
 * What a fresh look at a guest's whereabouts found after a thaw attempt failed (see {@link
 * AgentConnector#reroute}).
 *
 * @param outcome what changed
 * @param detail for people: the new route, or why the guest cannot be reached from here
 */
public record Reroute(Outcome outcome, String detail) {

  /** What changed. */
  public enum Outcome {
    /** Nothing known changed (or the lookup could not be made): keep trying the same way. */
    UNCHANGED,
    /** The guest is reached another way now (its pod on this node changed): try that at once. */
    CHANGED,
    /** The guest is no longer on this node (moved, or gone): this node cannot thaw it. */
    LEFT_NODE
  }

  public static final Reroute UNCHANGED = new Reroute(Outcome.UNCHANGED, "unchanged");
}
