package io.quiesce.api.v1alpha1;

/** Which list of {@code spec.hooks} a hook run came from. */
public enum HookPhase {
  /** Before the freeze. */
  PreFreeze,
  /** After the thaw. */
  PostThaw
}
