package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.Observation.Admission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's view of who may start now, across all snapshots: {@link FreezeAdmission} over the
 * snapshots in the informer cache plus the ones this process started whose new status the cache has
 * not shown yet. Checking and reserving happen under one lock, so two reconciles running at the same
 * time cannot both take the last slot.
 */
public final class FreezeSlots {
    private final FreezeAdmission admission;
    /** Started by this process, by "namespace/name"; dropped once the cache shows them started. */
    private final Map<String, Entry> started = new HashMap<>();
    /** The keys of {@link #started} that did start ({@link #confirm}), not just reserved a place. */
    private final Set<String> confirmed = new HashSet<>();

    public FreezeSlots(int clusterCap, int nodeCap) {
        this.admission = new FreezeAdmission(clusterCap, nodeCap);
    }

    /**
     * Decides whether {@code me} may start and reserves its place if so. The caller must then
     * {@link #confirm} (it started, with or without a freeze) or {@link #release} it.
     *
     * @param me    the snapshot, with the node its freeze would run on (null when not running)
     * @param cache every QuiescedSnapshot the operator knows
     */
    public synchronized Admission tryAdmit(Entry me, Collection<QuiescedSnapshot> cache) {
        String myKey = key(me.namespace(), me.name());
        if (confirmed.contains(myKey) || startedPerCache(myKey, cache)) {
            // it started, and this reconcile's copy is older than its own status write: it keeps its slot
            return Admission.FREE;
        }
        started.remove(myKey); // a snapshot reconciled again as Pending holds no slot
        Queue queue = queue(cache, myKey);
        boolean vmBusy = queue.running.stream().anyMatch(r -> r.vmKey().equals(me.vmKey()))
                || queue.waiting.stream().anyMatch(w -> w.vmKey().equals(me.vmKey()) && isAhead(w, me));
        queue.waiting.add(me);
        boolean slotFree = admission.admit(queue.waiting, queue.running).contains(me);
        if (!vmBusy) {
            started.put(myKey, me); // tentative: confirmed or released by the caller
        }
        return new Admission(vmBusy, slotFree);
    }

    /**
     * The waiting snapshots that would be admitted now, in queue order: the ones to wake when a
     * slot frees. Reserves nothing; each still goes through {@link #tryAdmit}.
     */
    public synchronized List<Entry> startableNow(Collection<QuiescedSnapshot> cache) {
        Queue queue = queue(cache, null);
        return admission.admit(queue.waiting, queue.running);
    }

    private record Queue(List<Entry> waiting, List<Entry> running) {
    }

    /** The cache (without {@code skipKey}) as waiting and running entries; drops reservations the cache has caught up with. */
    private Queue queue(Collection<QuiescedSnapshot> cache, String skipKey) {
        List<Entry> waiting = new ArrayList<>();
        List<Entry> running = new ArrayList<>();
        for (QuiescedSnapshot s : cache) {
            String key = key(s.getMetadata().getNamespace(), s.getMetadata().getName());
            QuiescedSnapshotStatus st = s.getStatus();
            SnapshotPhase phase = st == null || st.getPhase() == null ? SnapshotPhase.Pending : st.getPhase();
            if (key.equals(skipKey) || s.getSpec() == null || s.isMarkedForDeletion()) {
                continue;
            }
            if (phase == SnapshotPhase.InProgress) {
                forget(key);
                running.add(entry(s, holdsFreezeSlot(st) ? st.getNodeName() : null));
            } else if (phase == SnapshotPhase.Pending && !started.containsKey(key) && st != null
                    && st.getNodeName() != null) {
                waiting.add(entry(s, st.getNodeName())); // queued for a slot on that node
            } else if (phase != SnapshotPhase.Pending) {
                forget(key);
            }
        }
        running.addAll(started.values());
        return new Queue(waiting, running);
    }

    /** The snapshot started; {@code node} is the node whose freeze slot it holds, or null (no freeze). */
    public synchronized void confirm(Entry me, String node) {
        String key = key(me.namespace(), me.name());
        started.put(key, new Entry(me.namespace(), me.name(), me.vm(), node, me.created()));
        confirmed.add(key);
    }

    /** The snapshot did not start: its tentative place is given back. */
    public synchronized void release(String namespace, String name) {
        String key = key(namespace, name);
        started.remove(key);
        confirmed.remove(key);
    }

    /**
     * The reconcile's decision was not written (its copy of the snapshot was stale): a place it
     * reserved is given back, but one the snapshot holds from an earlier start is kept.
     */
    public synchronized void abandon(String namespace, String name) {
        String key = key(namespace, name);
        if (!confirmed.contains(key)) {
            started.remove(key);
        }
    }

    /** The cache already holds a newer version of the snapshot than the reconcile's, one that started. */
    private static boolean startedPerCache(String myKey, Collection<QuiescedSnapshot> cache) {
        for (QuiescedSnapshot s : cache) {
            if (key(s.getMetadata().getNamespace(), s.getMetadata().getName()).equals(myKey)) {
                return s.getStatus() != null && s.getStatus().getPhase() == SnapshotPhase.InProgress;
            }
        }
        return false;
    }

    /** The cache shows this one past Pending: its own status now tells whether it holds a slot. */
    private void forget(String key) {
        started.remove(key);
        confirmed.remove(key);
    }

    /** A snapshot holds a freeze slot while assigned and no freeze has been recorded yet. */
    static boolean holdsFreezeSlot(QuiescedSnapshotStatus st) {
        return st.getFreeze() == null && st.getConsistency() == null && st.getNodeName() != null;
    }

    private static boolean isAhead(Entry a, Entry b) {
        int byTime = a.created().compareTo(b.created());
        return byTime != 0 ? byTime < 0 : a.name().compareTo(b.name()) < 0;
    }

    private static Entry entry(QuiescedSnapshot s, String node) {
        return new Entry(s.getMetadata().getNamespace(), s.getMetadata().getName(), s.getSpec().getSource(), node,
                SnapshotSpecs.created(s));
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
