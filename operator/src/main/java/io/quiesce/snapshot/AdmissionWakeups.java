package io.quiesce.snapshot;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import java.util.Collection;
import java.util.Set;

/**
 * Wakes snapshots waiting for a freeze slot as soon as one frees, instead of leaving them to their
 * next timed requeue: without it a schedule over hundreds of VMs advanced in steps of the requeue
 * interval (5 s), whatever the cap. An event source of no resource: it only triggers reconciles.
 */
final class AdmissionWakeups extends AbstractEventSource<Void, QuiescedSnapshot> {

  AdmissionWakeups() {
    super(Void.class, "quiesce-admission-wakeups");
  }

  /** Asks for a reconcile of each of these snapshots (JOSDK merges it with one already queued). */
  void wake(Collection<FreezeAdmission.Entry> waiting) {
    if (!isRunning()) {
      return;
    }
    for (FreezeAdmission.Entry e : waiting) {
      getEventHandler().handleEvent(new Event(new ResourceID(e.name(), e.namespace())));
    }
  }

  @Override
  public Set<Void> getSecondaryResources(QuiescedSnapshot primary) {
    return Set.of();
  }
}
