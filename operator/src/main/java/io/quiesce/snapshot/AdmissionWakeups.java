package io.quiesce.snapshot;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import java.util.Collection;
import java.util.Set;

/**
 * The freeze queue's link to the controller: it feeds every add, update and delete event of the
 * QuiescedSnapshot informer into {@link FreezeSlots} (JOSDK passes them to each event source that
 * is {@link ResourceEventAware}), so admission keeps its queue one change at a time instead of
 * rebuilding it from the whole cache on every reconcile; and it wakes snapshots waiting for a
 * freeze slot as soon as one frees, instead of leaving them to their next timed requeue (without it
 * a schedule over hundreds of VMs advanced in steps of the requeue interval, 5 s, whatever the
 * cap). An event source of no resource: it only triggers reconciles.
 */
final class AdmissionWakeups extends AbstractEventSource<Void, QuiescedSnapshot>
    implements ResourceEventAware<QuiescedSnapshot> {

  private final FreezeSlots slots;

  AdmissionWakeups(FreezeSlots slots) {
    super(Void.class, "quiesce-admission-wakeups");
    this.slots = slots;
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
  public void onResourceCreated(QuiescedSnapshot resource) {
    slots.observe(resource);
  }

  @Override
  public void onResourceUpdated(QuiescedSnapshot newResource, QuiescedSnapshot oldResource) {
    slots.observe(newResource);
  }

  @Override
  public void onResourceDeleted(QuiescedSnapshot resource) {
    slots.forget(resource);
  }

  @Override
  public Set<Void> getSecondaryResources(QuiescedSnapshot primary) {
    return Set.of();
  }
}
