package io.quiesce.snapshot;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link FreezeSlots} orders its queue by, kept up to date one snapshot at a time (the
 * QuiescedSnapshot informer's add, update and delete events, the copy each reconcile works from,
 * and the operator's own writes) instead of being rebuilt from the whole cache on every reconcile:
 * the snapshots queued for a freeze slot (Pending, on a node, in queue order: oldest first, then by
 * namespace and name) and the started ones (InProgress: their VM is busy). A change costs O(log n);
 * nothing here counts who is frozen (the grants do), so a view that lags only delays or reorders
 * admission, it never lets more freezes through.
 *
 * <p>Not thread-safe: used under the lock of its {@link FreezeSlots}.
 */
final class AdmissionQueue {
  /** Queue order, the one {@link FreezeAdmission#admit} sorts by. */
  static final Comparator<Entry> ORDER =
      Comparator.comparing(Entry::created)
          .thenComparing(Entry::namespace)
          .thenComparing(Entry::name);

  /** Where a snapshot stands for admission. */
  private enum State {
    /** Pending on a node, not being deleted: waits for a slot. */
    QUEUED,
    /** InProgress: its VM is busy (its slot, if any, is a grant). */
    STARTED,
    /** Anything else (terminal, Pending without a node yet, deleted). */
    OTHER
  }

  private record Item(String key, String uid, String version, State state, Entry entry) {}

  private final Map<String, Item> items = new HashMap<>();
  private final NavigableSet<Entry> queue = new TreeSet<>(ORDER);
  private final Map<String, NavigableSet<Entry>> queuedByVm = new HashMap<>();
  private final Map<String, Integer> queuedPerNode = new HashMap<>();
  private final Map<String, Set<String>> startedByVm = new HashMap<>();

  /**
   * Deleted snapshots' last versions (the latest {@value #DELETED_REMEMBERED}), so that an older
   * copy seen after the delete event (a reconcile's) cannot queue a snapshot that is gone.
   */
  private final Map<String, String> deleted =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > DELETED_REMEMBERED;
        }
      };

  private static final int DELETED_REMEMBERED = 4096;

  /** A queue of exactly these snapshots (a list of any age, as passed by older callers). */
  static AdmissionQueue of(Collection<QuiescedSnapshot> list) {
    AdmissionQueue q = new AdmissionQueue();
    list.forEach(q::observe);
    return q;
  }

  /**
   * Takes in this version of a snapshot, unless a newer one of the same object was seen already
   * (copies arrive from several places, not always in order).
   */
  void observe(QuiescedSnapshot s) {
    String key = FreezeSlots.key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    String version = s.getMetadata().getResourceVersion();
    Item old = items.get(key);
    if (old != null && !newer(version, old.version())) {
      return; // resourceVersions count up across objects, so this also holds for a replaced one
    }
    String gone = deleted.get(key);
    if (old == null && gone != null && !newer(version, gone)) {
      return;
    }
    State state = state(s);
    Entry entry =
        state == State.OTHER
            ? null
            : new Entry(
                s.getMetadata().getNamespace(),
                s.getMetadata().getName(),
                s.getSpec().getSource(),
                state == State.QUEUED ? s.getStatus().getNodeName() : null,
                old != null && old.entry() != null && sameObject(old.uid(), s)
                    ? old.entry().created() // parsed once per object
                    : SnapshotSpecs.created(s));
    unindex(old);
    Item now = new Item(key, s.getMetadata().getUid(), version, state, entry);
    items.put(key, now);
    index(now);
  }

  /** The snapshot is gone (a delete event). */
  void forget(QuiescedSnapshot s) {
    String key = FreezeSlots.key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    Item old = items.get(key);
    if (old != null && newer(old.version(), s.getMetadata().getResourceVersion())) {
      return; // a newer object of the same name is already here
    }
    unindex(old);
    items.remove(key);
    deleted.put(key, s.getMetadata().getResourceVersion());
  }

  /** The queued snapshots in queue order (each with the node it waits on). */
  Iterable<Entry> queued() {
    return queue;
  }

  /**
   * Whether a queued snapshot of {@code me}'s VM other than {@code me} (and not {@code skip}) is
   * ahead of it in the queue.
   */
  boolean queuedAheadOnVm(Entry me, String myKey, java.util.function.Predicate<String> skip) {
    NavigableSet<Entry> ofVm = queuedByVm.get(me.vmKey());
    if (ofVm == null) {
      return false;
    }
    for (Entry e : ofVm.headSet(me, false)) {
      String key = FreezeSlots.key(e.namespace(), e.name());
      if (!key.equals(myKey) && !skip.test(key)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a snapshot of this VM other than {@code skipKey} has started. */
  boolean startedOn(String vmKey, String skipKey) {
    Set<String> started = startedByVm.get(vmKey);
    return started != null && (started.size() > 1 || !started.contains(skipKey));
  }

  /** How many nodes have a queued snapshot. */
  int queuedNodes() {
    return queuedPerNode.size();
  }

  /** Whether a snapshot is queued on this node. */
  boolean hasQueuedOn(String node) {
    return queuedPerNode.containsKey(node);
  }

  /** How many snapshots are queued (for tests). */
  int size() {
    return queue.size();
  }

  private void index(Item i) {
    if (i.state() == State.QUEUED) {
      queue.add(i.entry());
      queuedByVm.computeIfAbsent(i.entry().vmKey(), k -> new TreeSet<>(ORDER)).add(i.entry());
      queuedPerNode.merge(i.entry().node(), 1, Integer::sum);
    } else if (i.state() == State.STARTED) {
      startedByVm.computeIfAbsent(i.entry().vmKey(), k -> new HashSet<>()).add(i.key());
    }
  }

  private void unindex(Item i) {
    if (i == null) {
      return;
    }
    if (i.state() == State.QUEUED) {
      queue.remove(i.entry());
      NavigableSet<Entry> ofVm = queuedByVm.get(i.entry().vmKey());
      if (ofVm != null && ofVm.remove(i.entry()) && ofVm.isEmpty()) {
        queuedByVm.remove(i.entry().vmKey());
      }
      queuedPerNode.computeIfPresent(i.entry().node(), (n, c) -> c == 1 ? null : c - 1);
    } else if (i.state() == State.STARTED) {
      Set<String> started = startedByVm.get(i.entry().vmKey());
      if (started != null && started.remove(i.key()) && started.isEmpty()) {
        startedByVm.remove(i.entry().vmKey());
      }
    }
  }

  private static State state(QuiescedSnapshot s) {
    QuiescedSnapshotStatus st = s.getStatus();
    SnapshotPhase phase = SnapshotPhase.of(st);
    if (s.getSpec() == null) {
      return State.OTHER;
    }
    if (phase == SnapshotPhase.InProgress) {
      return State.STARTED;
    }
    if (phase == SnapshotPhase.Pending
        && !s.isMarkedForDeletion()
        && st != null
        && st.getNodeName() != null) {
      return State.QUEUED;
    }
    return State.OTHER;
  }

  private static boolean sameObject(String uid, QuiescedSnapshot s) {
    return uid != null && uid.equals(s.getMetadata().getUid());
  }

  /**
   * Whether {@code a} is a later resourceVersion than {@code b}. Kubernetes makes no promise about
   * their form, but the API servers in use count up (as JOSDK's own cache assumes); when either is
   * not a number, the copy seen last wins.
   */
  static boolean newer(String a, String b) {
    if (a == null || b == null) {
      return true;
    }
    try {
      return Long.parseLong(a) > Long.parseLong(b);
    } catch (NumberFormatException e) {
      return true;
    }
  }
}
