package io.quiesce.snapshot;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The freeze queue's link to the controller: it feeds every add, update and delete event of the
 * QuiescedSnapshot informer into {@link FreezeSlots} (JOSDK passes them to each event source that
 * is {@link ResourceEventAware}), so admission keeps its queue one change at a time instead of
 * rebuilding it from the whole cache on every reconcile; and it wakes snapshots waiting for a
 * freeze slot as soon as one frees, instead of leaving them to their next timed requeue (without it
 * a schedule over hundreds of VMs advanced in steps of the requeue interval, 5 s, whatever the
 * cap). It wakes only when something was released since it last woke ({@link
 * FreezeSlots#releases()}), and only the snapshots that would be admitted now: a reconcile that
 * frees nothing wakes no one, so the waiting snapshots are not reconciled again and again on every
 * event of the ones in flight. An event source of no resource: it only triggers reconciles.
 */
final class AdmissionWakeups extends AbstractEventSource<Void, QuiescedSnapshot>
    implements ResourceEventAware<QuiescedSnapshot> {

  private final FreezeSlots slots;

  /** {@link FreezeSlots#releases()} when the waiting snapshots were last woken. */
  private final AtomicLong wokenAt = new AtomicLong();

  /**
   * The snapshots woken whose reconcile has not ended yet: not woken again meanwhile (each release
   * until it takes its grant would reconcile it once more, or twice when it was running).
   */
  private final Set<String> woken = ConcurrentHashMap.newKeySet();

  AdmissionWakeups(FreezeSlots slots) {
    super(Void.class, "quiesce-admission-wakeups");
    this.slots = slots;
  }

  /**
   * Wakes the snapshots that may start now if a grant was released (or a waiting group gave up its
   * place) since the last wake-up. Called after every change that can release one: each reconcile,
   * each informer event of a snapshot (its freeze record, its deletion).
   */
  void wakeIfReleased() {
    long released = slots.releases();
    long before = wokenAt.get();
    if (released != before && wokenAt.compareAndSet(before, released)) {
      wake(slots.startableNow());
    }
  }

  /** Wakes the snapshots that may start now, whatever was released. */
  void wakeNow() {
    wokenAt.set(slots.releases());
    wake(slots.startableNow());
  }

  /** Asks for a reconcile of each of these snapshots (JOSDK merges it with one already queued). */
  void wake(Collection<FreezeAdmission.Entry> waiting) {
    if (!isRunning()) {
      return;
    }
    for (FreezeAdmission.Entry e : waiting) {
      if (woken.add(FreezeSlots.key(e.namespace(), e.name()))) {
        getEventHandler().handleEvent(new Event(new ResourceID(e.name(), e.namespace())));
      }
    }
  }

  /** A reconcile of this snapshot ended: a later wake-up may wake it again. */
  void reconciled(String namespace, String name) {
    woken.remove(FreezeSlots.key(namespace, name));
  }

  @Override
  public void onResourceCreated(QuiescedSnapshot resource) {
    slots.observe(resource);
    wakeIfReleased();
  }

  @Override
  public void onResourceUpdated(QuiescedSnapshot newResource, QuiescedSnapshot oldResource) {
    slots.observe(newResource);
    wakeIfReleased();
  }

  @Override
  public void onResourceDeleted(QuiescedSnapshot resource) {
    slots.forget(resource);
    reconciled(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    wakeIfReleased();
  }

  @Override
  public Set<Void> getSecondaryResources(QuiescedSnapshot primary) {
    return Set.of();
  }
}
