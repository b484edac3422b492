package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.naming.PlannedVolumeSnapshots;
import io.quiesce.naming.Provenance;
import io.quiesce.status.Reason;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.UnreadWrites;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake of the node helper (the real one is in node-helper/), playing its side of the issue 4
 * contract over the API: it watches snapshots labelled {@code quiesce.io/node}, takes each that is
 * InProgress with no freeze record once, "freezes" (no guest: a fake), creates the planned
 * VolumeSnapshots, waits by watch until each is cut, "thaws" and records {@code status.freeze} with
 * a JSON merge patch. It renews the heartbeat Lease of its nodes every 5 s and records how many
 * freezes overlapped per node, in the cluster and per VM.
 */
public final class FakeNodeHelper implements AutoCloseable {
  /** What the fake does with each snapshot it takes. */
  public enum Behaviour {
    FREEZE_OK,
    FREEZE_FAILED,
    NEVER_ANSWERS,
    ZERO_FILESYSTEMS,
    /**
     * Finds no socket: NoAgentChannel under channel auto (as the real helper), else the channel's
     * own reason.
     */
    NO_SOCKET
  }

  private final KubernetesClient client;

  /** Its freeze records and VolumeSnapshot creates: it reads none of their answers. */
  private final UnreadWrites writes;

  private final Behaviour behaviour;
  private final Duration cutWait;

  /** The snapshots it follows, and whether it started that watch (else it is another's). */
  private final SharedIndexInformer<QuiescedSnapshot> informer;

  private final boolean ownsWatches;

  /**
   * The VolumeSnapshots (all of them: a test may have made one of a planned name), followed by one
   * informer as the real helper follows Quiesce's ({@code VolumeSnapshotTracker}): a window waits
   * for its cuts on {@link #cuts}, not by a watch of its own (a list and a watch per freeze, which
   * loaded the test API server more than the operator did).
   */
  private final SharedIndexInformer<VolumeSnapshot> volumeSnapshots;

  /** Windows waiting for a VolumeSnapshot's cut or error, by {@code namespace/name}. */
  private final Map<String, CompletableFuture<VolumeSnapshot>> cuts = new ConcurrentHashMap<>();

  private final ExecutorService workers;

  /** How often each node's heartbeat Lease is renewed: twice as often as the real helper. */
  private static final Duration HEARTBEAT_PERIOD = Duration.ofSeconds(5);

  /**
   * Renews the heartbeat Leases, as the real helper does every 10 s, so long tests stay "alive":
   * each node's on a thread of its own, as each node runs a helper of its own. One thread renewing
   * every node's in turn waited for each renewal behind the freezes' requests on the loaded test
   * API server (at load 35, 20 renewals took 4 s a round: 144 in a minute where 260 were due), and
   * under heavier load longer than the operator's 30 s staleness: it fell back to KubeVirt for
   * snapshots of live (fake) helpers.
   */
  private final ScheduledExecutorService heartbeat;

  private final Set<String> taken = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> frozenPerNode = new ConcurrentHashMap<>();
  private final Map<String, Integer> maxPerNode = new ConcurrentHashMap<>();
  private final Set<String> frozenVms = ConcurrentHashMap.newKeySet();
  private final AtomicInteger frozen = new AtomicInteger();
  private final AtomicInteger maxFrozen = new AtomicInteger();
  private final Map<String, Integer> frozenPerNamespace = new ConcurrentHashMap<>();
  private final Map<String, Integer> maxPerNamespace = new ConcurrentHashMap<>();
  private final AtomicInteger vmFrozenTwice = new AtomicInteger();
  private final AtomicInteger freezes = new AtomicInteger();
  private final List<String> channelsSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger assignedWithoutSlot = new AtomicInteger();
  private final Map<String, String> frozenNow = new ConcurrentHashMap<>();
  private volatile List<String> peakSet = List.of();
  private final Set<String> frozenNames = ConcurrentHashMap.newKeySet();
  private final Map<String, Timeline> timelines = new ConcurrentHashMap<>();

  /** Each node's heartbeat Lease as its last renewal returned it. */
  private final Map<String, Lease> heartbeats = new ConcurrentHashMap<>();

  private final AtomicInteger renewalsFailed = new AtomicInteger();

  private final String leaseNamespace;
  private volatile boolean checksSlotLeases;

  private FakeNodeHelper(
      KubernetesClient client,
      Behaviour behaviour,
      Duration cutWait,
      String leaseNamespace,
      List<String> nodes,
      int threads,
      Watches shared) {
    this.client = client;
    this.writes = new UnreadWrites(client);
    this.behaviour = behaviour;
    this.cutWait = cutWait;
    this.leaseNamespace = leaseNamespace;
    this.heartbeat =
        Executors.newScheduledThreadPool(
            nodes.size(),
            r -> {
              Thread t = new Thread(r, "fake-node-helper-heartbeat");
              t.setDaemon(true);
              return t;
            });
    this.workers =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "fake-node-helper");
              t.setDaemon(true);
              return t;
            });
    nodes.forEach(node -> renewLease(leaseNamespace, node));
    this.ownsWatches = shared == null;
    this.volumeSnapshots =
        ownsWatches
            ? client.resources(VolumeSnapshot.class).inAnyNamespace().inform()
            : shared.volumeSnapshots();
    volumeSnapshots.addEventHandler(cutHandler);
    // spread over the period, as helpers started at different times renew at different times
    long periodMs = HEARTBEAT_PERIOD.toMillis();
    for (int i = 0; i < nodes.size(); i++) {
      String node = nodes.get(i);
      heartbeat.scheduleWithFixedDelay(
          () -> renewQuietly(leaseNamespace, node),
          periodMs + i * periodMs / nodes.size(),
          periodMs,
          TimeUnit.MILLISECONDS);
    }
    this.informer =
        ownsWatches
            ? client
                .resources(QuiescedSnapshot.class)
                .inAnyNamespace()
                .withLabel(Provenance.NODE)
                .inform()
            : shared.snapshots();
    informer.addEventHandler(takeHandler);
  }

  /**
   * Watches another fake or the bench in the same JVM already runs, for the helper to follow
   * instead of its own: each watch decodes every event it receives, so two watches of a kind
   * decoded each event twice (watch decoding was 8 % of the scale bench JVM's CPU in a fire, about
   * half of it the second decodes). {@code snapshots} should select those labelled {@code
   * quiesce.io/node}, as its own watch does and a real helper's does (the helper takes only those
   * anyway, but a watch of every snapshot queues the others' events ahead of its assignments).
   */
  public record Watches(
      SharedIndexInformer<QuiescedSnapshot> snapshots,
      SharedIndexInformer<VolumeSnapshot> volumeSnapshots) {}

  private final ResourceEventHandler<VolumeSnapshot> cutHandler = onAddOrUpdate(this::maybeCut);
  private final ResourceEventHandler<QuiescedSnapshot> takeHandler = onAddOrUpdate(this::maybeTake);

  /** A handler (removable from a shared informer) that acts on each added or updated object. */
  private static <T> ResourceEventHandler<T> onAddOrUpdate(java.util.function.Consumer<T> action) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T t) {
        action.accept(t);
      }

      @Override
      public void onUpdate(T old, T t) {
        action.accept(t);
      }

      @Override
      public void onDelete(T t, boolean unknown) {}
    };
  }

  /** Starts a helper for these nodes, with its heartbeat Leases in {@code leaseNamespace}. */
  /**
   * The helper most snapshot tests run: it freezes fine, on the fixtures' default node, with its
   * heartbeat Leases in the operator's namespace and a client of its own.
   */
  static FakeNodeHelper freezingOnDefaultNode(KubeApiServer server) {
    return start(
        server.newClient(),
        Behaviour.FREEZE_OK,
        SnapshotTestSupport.OPERATOR_NAMESPACE,
        Fixtures.DEFAULT_NODE);
  }

  static FakeNodeHelper start(
      KubernetesClient client, Behaviour behaviour, String leaseNamespace, String... nodes) {
    return new FakeNodeHelper(
        client, behaviour, Duration.ofSeconds(5), leaseNamespace, List.of(nodes), 8, null);
  }

  /** The same with {@code threads} freeze windows at once across all its nodes. */
  public static FakeNodeHelper start(
      KubernetesClient client,
      Behaviour behaviour,
      String leaseNamespace,
      int threads,
      List<String> nodes) {
    return new FakeNodeHelper(
        client, behaviour, Duration.ofSeconds(5), leaseNamespace, nodes, threads, null);
  }

  /**
   * The same, each window waiting at most {@code cutWait} for its cuts (as the real helper's
   * watchdog waits for the snapshot's quiesce timeout).
   */
  public static FakeNodeHelper start(
      KubernetesClient client,
      Behaviour behaviour,
      String leaseNamespace,
      int threads,
      List<String> nodes,
      Duration cutWait) {
    return new FakeNodeHelper(client, behaviour, cutWait, leaseNamespace, nodes, threads, null);
  }

  /** The same, following {@code shared} watches instead of starting its own. */
  public static FakeNodeHelper start(
      KubernetesClient client,
      Behaviour behaviour,
      String leaseNamespace,
      int threads,
      List<String> nodes,
      Duration cutWait,
      Watches shared) {
    return new FakeNodeHelper(
        client, behaviour, cutWait, leaseNamespace, nodes, threads, Objects.requireNonNull(shared));
  }

  private void renewLease(String leaseNamespace, String node) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    Lease last = heartbeats.get(node);
    if (last != null) {
      // one update of the copy the last renewal returned, as the real helper renews; a create,
      // a read and an update (createOr) only when that fails
      Lease renewed = client.getKubernetesSerialization().clone(last);
      renewed.getSpec().setRenewTime(now);
      try {
        heartbeats.put(node, client.resource(renewed).update());
        return;
      } catch (KubernetesClientException e) {
        heartbeats.remove(node);
      }
    }
    heartbeats.put(
        node,
        client
            .resource(
                new LeaseBuilder()
                    .withNewMetadata()
                    .withName(ClusterObserver.HELPER_LEASE_PREFIX + node)
                    .withNamespace(leaseNamespace)
                    .endMetadata()
                    .withNewSpec()
                    .withHolderIdentity("fake-helper-" + node)
                    .withLeaseDurationSeconds(30)
                    .withRenewTime(now)
                    .endSpec()
                    .build())
            .createOr(existing -> existing.update()));
  }

  /**
   * A renewal that fails (e.g. a request timed out on a loaded server) is tried again at the next
   * period: an exception out of a periodic task would end its renewals for good, and the operator
   * would take the node's helper as gone 30 s later.
   */
  private void renewQuietly(String leaseNamespace, String node) {
    try {
      renewLease(leaseNamespace, node);
    } catch (RuntimeException e) {
      heartbeats.remove(node);
      renewalsFailed.incrementAndGet();
    }
  }

  /** Renewals that failed (each tried again a period later). */
  public int renewalsFailed() {
    return renewalsFailed.get();
  }

  int maxFrozenOnAnyNode() {
    return maxPerNode.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /**
   * The most freezes of the VMs of one namespace that overlapped (a shard's, when shards own
   * namespaces).
   */
  public int maxFrozenInNamespace(String namespace) {
    return maxPerNamespace.getOrDefault(namespace, 0);
  }

  private static String namespaceOf(String vmKey) {
    return vmKey.substring(0, Math.max(0, vmKey.indexOf('/')));
  }

  /** The most freezes that overlapped in the cluster. */
  public int maxFrozenInCluster() {
    return maxFrozen.get();
  }

  /**
   * From now on, as the real helper: "freezes" only while the freeze slot Lease the snapshot names
   * ({@code quiesce.io/freeze-slot}, in the lease namespace) holds its uid, retrying every 100 ms
   * otherwise; a snapshot that names no slot is recorded {@code FreezeSlotMissing}, never frozen.
   */
  FakeNodeHelper checkingSlotLeases() {
    this.checksSlotLeases = true;
    return this;
  }

  /** The names of the snapshots it froze. */
  Set<String> frozenNames() {
    return Set.copyOf(frozenNames);
  }

  /** The snapshots frozen together at the peak, as {@code name@slot(uid)}. */
  List<String> peakSet() {
    return peakSet;
  }

  /** How many snapshots it was given that named no freeze slot. */
  int assignedWithoutSlot() {
    return assignedWithoutSlot.get();
  }

  int timesAVmWasFrozenTwice() {
    return vmFrozenTwice.get();
  }

  /**
   * The {@code quiesce.io/resolved-channel} of each snapshot taken, in order ("null" when absent).
   */
  List<String> channelsSeen() {
    return List.copyOf(channelsSeen);
  }

  /** How many snapshots it froze. */
  public int freezes() {
    return freezes.get();
  }

  /**
   * When each step of a snapshot's fake freeze happened, by {@code namespace/name} of the
   * QuiescedSnapshot (for the scale bench's per-step figures).
   */
  public Map<String, Timeline> timelines() {
    return Map.copyOf(timelines);
  }

  /**
   * The instants of one fake freeze: taken from an informer event, started on a worker, its
   * VolumeSnapshots created, their cut seen, its record written; null until reached.
   */
  public static final class Timeline {
    public volatile Instant taken;
    public volatile Instant started;
    public volatile Instant created;
    public volatile Instant cutSeen;
    public volatile Instant recorded;
  }

  private Timeline timeline(QuiescedSnapshot s) {
    return timelines.computeIfAbsent(
        s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), k -> new Timeline());
  }

  private void maybeTake(QuiescedSnapshot s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    if (labels == null
        || !labels.containsKey(Provenance.NODE)
        || s.getStatus() == null
        || s.getStatus().getPhase() != SnapshotPhase.InProgress
        || s.getStatus().getFreeze() != null
        || s.isMarkedForDeletion()
        || !taken.add(s.getMetadata().getUid())) {
      return;
    }
    timeline(s).taken = Instant.now();
    if (behaviour != Behaviour.NEVER_ANSWERS) {
      workers.submit(() -> run(s));
    }
  }

  private void run(QuiescedSnapshot s) {
    String slot =
        s.getMetadata().getAnnotations() == null
            ? null
            : s.getMetadata().getAnnotations().get(Provenance.FREEZE_SLOT);
    if (slot == null) {
      assignedWithoutSlot.incrementAndGet();
    }
    if (checksSlotLeases && behaviour != Behaviour.NO_SOCKET) {
      if (slot == null) {
        FreezeRecord none = new FreezeRecord();
        none.setReason("FreezeSlotMissing");
        none.setFilesystemsFrozen(0);
        none.setError("fake: assigned without a freeze slot");
        writeFreeze(s, none);
        return;
      }
      if (!slotHeld(s, slot)) {
        heartbeat.schedule(() -> retry(s), 100, TimeUnit.MILLISECONDS);
        return;
      }
    }
    String node = s.getMetadata().getLabels().get(Provenance.NODE);
    String vm = s.getMetadata().getNamespace() + "/" + s.getSpec().getSource();
    FreezeRecord record = new FreezeRecord();
    record.setMethod(FreezeMethod.QGA);
    freezes.incrementAndGet();
    String channel = s.getMetadata().getLabels().get(QuiesceChannel.RESOLVED_LABEL);
    channelsSeen.add(String.valueOf(channel));
    if (behaviour == Behaviour.NO_SOCKET) {
      record.setMethod(null);
      record.setFilesystemsFrozen(0);
      record.setReason(
          "auto".equals(channel) ? Reason.NO_AGENT_CHANNEL.wire() : "LibvirtSocketNotFound");
      record.setError("fake: no socket of " + vm);
      writeFreeze(s, record);
      return;
    }
    if (behaviour == Behaviour.FREEZE_FAILED) {
      record.setReason("FreezeFailed");
      record.setError("guest-fsfreeze-freeze: fake agent refused");
      boolean bestEffort =
          s.getSpec().getQuiesce() != null
              && s.getSpec().getQuiesce().getMode() == QuiesceMode.BestEffort;
      if (bestEffort) {
        createAll(s);
      }
      writeFreeze(s, record);
      return;
    }
    frozenNames.add(s.getMetadata().getName());
    enter(node, vm);
    frozenNow.put(
        vm,
        s.getMetadata().getName()
            + "@"
            + slot
            + "("
            + s.getMetadata().getUid().substring(0, 8)
            + ")");
    synchronized (this) {
      if (frozenNow.size() >= maxFrozen.get()) {
        peakSet = List.copyOf(frozenNow.values());
      }
    }
    Instant start = Instant.now();
    Timeline timeline = timeline(s);
    timeline.started = start;
    String reason = "Frozen";
    // registered before the creates, so that no cut is missed; the cache covers one seen before
    List<String> keys = cutKeys(s);
    List<CompletableFuture<VolumeSnapshot>> waiting = keys.stream().map(this::awaitCut).toList();
    try {
      createAll(s);
      timeline.created = Instant.now();
      long deadline = System.nanoTime() + cutWait.toNanos();
      for (CompletableFuture<VolumeSnapshot> cut : waiting) {
        try {
          VolumeSnapshot vs =
              cut.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (vs.getStatus().getCreationTime() == null) {
            reason = "VolumeSnapshotFailed";
            break;
          }
        } catch (TimeoutException e) {
          reason = "QuiesceTimeout";
          break;
        } catch (ExecutionException e) {
          throw new IllegalStateException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          reason = "QuiesceTimeout";
          break;
        }
      }
    } finally {
      for (int i = 0; i < keys.size(); i++) {
        cuts.remove(keys.get(i), waiting.get(i));
      }
      frozenNow.remove(vm);
      leave(node, vm);
    }
    Instant end = Instant.now();
    timeline.cutSeen = end;
    record.setStartTime(start.toString());
    record.setEndTime(end.toString());
    record.setDurationMs(Duration.between(start, end).toMillis());
    record.setFilesystemsFrozen(behaviour == Behaviour.ZERO_FILESYSTEMS ? 0 : 2);
    record.setThawedBy(
        reason.equals("Frozen")
            ? ThawTrigger.Cut
            : reason.equals("QuiesceTimeout") ? ThawTrigger.Watchdog : ThawTrigger.Error);
    record.setReason(reason);
    writeFreeze(s, record);
    timeline.recorded = Instant.now();
  }

  private static List<String> cutKeys(QuiescedSnapshot s) {
    return s.getStatus().getVolumeSnapshots().stream()
        .map(planned -> s.getMetadata().getNamespace() + "/" + planned.getVolumeSnapshotName())
        .toList();
  }

  /** A future completed once the VolumeSnapshot of this key is cut or has failed. */
  private CompletableFuture<VolumeSnapshot> awaitCut(String key) {
    CompletableFuture<VolumeSnapshot> cut = new CompletableFuture<>();
    cuts.put(key, cut);
    VolumeSnapshot cached = volumeSnapshots.getStore().getByKey(key);
    if (cached != null) {
      maybeCut(cached);
    }
    return cut;
  }

  private void maybeCut(VolumeSnapshot v) {
    if (v.getStatus() == null
        || (v.getStatus().getCreationTime() == null && v.getStatus().getError() == null)) {
      return;
    }
    CompletableFuture<VolumeSnapshot> cut =
        cuts.get(v.getMetadata().getNamespace() + "/" + v.getMetadata().getName());
    if (cut != null) {
      cut.complete(v);
    }
  }

  private boolean slotHeld(QuiescedSnapshot s, String slot) {
    var lease = client.leases().inNamespace(leaseNamespace).withName(slot).get();
    return lease != null
        && lease.getSpec() != null
        && s.getMetadata().getUid().equals(lease.getSpec().getHolderIdentity());
  }

  /** Runs the snapshot again as stored now, if it still waits for its freeze. */
  private void retry(QuiescedSnapshot s) {
    QuiescedSnapshot now =
        client
            .resources(QuiescedSnapshot.class)
            .inNamespace(s.getMetadata().getNamespace())
            .withName(s.getMetadata().getName())
            .get();
    if (now == null
        || !now.getMetadata().getUid().equals(s.getMetadata().getUid())
        || now.getStatus() == null
        || now.getStatus().getPhase() != SnapshotPhase.InProgress
        || now.getStatus().getFreeze() != null
        || now.isMarkedForDeletion()) {
      return;
    }
    try {
      workers.submit(() -> run(now));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the fake is closing
    }
  }

  private void createAll(QuiescedSnapshot s) {
    for (VolumeSnapshotRecord planned : s.getStatus().getVolumeSnapshots()) {
      try {
        writes.create(PlannedVolumeSnapshots.build(s, planned));
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  private synchronized void enter(String node, String vm) {
    if (!frozenVms.add(vm)) {
      vmFrozenTwice.incrementAndGet();
    }
    int onNode = frozenPerNode.computeIfAbsent(node, n -> new AtomicInteger()).incrementAndGet();
    maxPerNode.merge(node, onNode, Math::max);
    maxPerNamespace.merge(
        namespaceOf(vm), frozenPerNamespace.merge(namespaceOf(vm), 1, Integer::sum), Math::max);
    maxFrozen.accumulateAndGet(frozen.incrementAndGet(), Math::max);
  }

  private synchronized void leave(String node, String vm) {
    frozenVms.remove(vm);
    frozenPerNode.get(node).decrementAndGet();
    frozenPerNamespace.merge(namespaceOf(vm), -1, Integer::sum);
    frozen.decrementAndGet();
  }

  private void writeFreeze(QuiescedSnapshot s, FreezeRecord record) {
    writes.mergePatch(
        s, "status", Serialization.asJson(Map.of("status", Map.of("freeze", record))));
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    if (ownsWatches) {
      informer.close();
      volumeSnapshots.close();
    } else {
      informer.removeEventHandler(takeHandler);
      volumeSnapshots.removeEventHandler(cutHandler);
    }
    workers.shutdownNow();
  }
}
