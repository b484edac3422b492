package io.quiesce.api.v1alpha1;

/** How one fire of a schedule turns the VMs it selects into QuiescedSnapshots. */
public enum SnapshotGrouping {
  /** One QuiescedSnapshot per selected VM ({@code spec.source}), each frozen on its own. */
  PerVM,
  /**
   * One QuiescedSnapshot per fire over every selected VM ({@code spec.sources.vms}, 2 to 16), all
   * frozen together and cut inside the window in which all of them are frozen.
   */
  ConsistencyGroup
}
