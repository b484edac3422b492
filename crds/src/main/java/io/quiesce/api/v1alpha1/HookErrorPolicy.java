package io.quiesce.api.v1alpha1;

/** What a hook that fails (non-zero exit, timeout, agent error) does to the snapshot. */
public enum HookErrorPolicy {
  /**
   * A failing preFreeze hook stops the snapshot: nothing is frozen or cut, the postThaw hooks still
   * run, and the snapshot fails with the hook's reason. A failing postThaw hook is recorded (the
   * snapshot is taken already).
   */
  Fail,
  /** The failure is recorded and the next step goes on. */
  Continue
}
