package io.quiesce.api.v1alpha1;

/** KubeVirt's {@code spec.runStrategy} values. */
public enum RunStrategy {
  Always,
  Halted,
  Manual,
  RerunOnFailure,
  Once
}
