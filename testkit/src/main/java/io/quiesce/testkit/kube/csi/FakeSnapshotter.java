package io.quiesce.testkit.kube.csi;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.kube.csi.DeletionPolicy;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotContent;
import io.quiesce.kube.csi.VolumeSnapshotContentSource;
import io.quiesce.kube.csi.VolumeSnapshotContentSpec;
import io.quiesce.kube.csi.VolumeSnapshotContentStatus;
import io.quiesce.kube.csi.VolumeSnapshotError;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.testkit.kube.UnreadWrites;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake of the CSI snapshot controller and driver, for tests on the test API server. It watches
 * VolumeSnapshots in all namespaces and, for each new one: resolves the PVC, its driver and the
 * snapshot class (the driver's default when none is named, which it writes into the spec as the
 * real controller does; all read from informer caches, as its listers do, see {@link CsiLookups}),
 * creates a bound VolumeSnapshotContent {@code snapcontent-<uid>}, adds the bound-protection
 * finalizer, sets {@code status.creationTime} the cut delay after it created the content (the cut,
 * as the driver's sidecar starts it on seeing the content; never before the binding is written),
 * then {@code readyToUse=true} and {@code restoreSize} (the PVC's capacity) after the ready delay.
 * Per PVC or per snapshot it can instead fail with {@code status.error}, never cut, or cut but
 * never become ready (see {@link SnapshotBehaviour}). A deleted VolumeSnapshot loses its content
 * (when the class's policy is Delete) and its finalizer.
 *
 * <p>It records when it saw each snapshot and when it cut it ({@link #record}). Thread-safe; close
 * it to stop watching (pending steps are dropped).
 */
public final class FakeSnapshotter implements AutoCloseable {

  /** Finalizer the real controller puts on a bound VolumeSnapshot. */
  public static final String BOUND_FINALIZER =
      "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";

  private static final Logger LOG = LoggerFactory.getLogger(FakeSnapshotter.class);

  private final KubernetesClient client;

  /** Its writes: it reads none of their answers. */
  private final UnreadWrites writes;

  private final Duration cutDelay;
  private final Duration readyDelay;
  private final ScheduledExecutorService timer;
  private final ExecutorService steps;
  private final Map<String, SnapshotBehaviour> byPvc = new ConcurrentHashMap<>();
  private final Map<String, SnapshotBehaviour> bySnapshot = new ConcurrentHashMap<>();
  private final Map<String, SnapshotRecord> records = new ConcurrentHashMap<>();
  private volatile Consumer<VolumeSnapshot> cutAction = snapshot -> {};

  /** UIDs of the snapshots taken on, so that every update event does not start over. */
  private final Set<String> handled = ConcurrentHashMap.newKeySet();

  private final SharedIndexInformer<VolumeSnapshot> informer;
  private final CsiLookups lookups;

  private FakeSnapshotter(KubernetesClient client, Duration cutDelay, Duration readyDelay) {
    this.client = client;
    this.writes = new UnreadWrites(client);
    this.cutDelay = cutDelay;
    this.readyDelay = readyDelay;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "fake-snapshotter-timer");
              thread.setDaemon(true);
              return thread;
            });
    // a thread per step in flight: each step waits on the API server, and a cut must not wait
    // behind other snapshots' steps (with 8 threads for everything, 50 snapshots bound at once
    // delayed each cut by seconds past its cut delay)
    this.steps =
        Executors.newCachedThreadPool(
            r -> {
              Thread thread = new Thread(r, "fake-snapshotter");
              thread.setDaemon(true);
              return thread;
            });
    // before the snapshots' informer, whose first events already look things up
    this.lookups = new CsiLookups(client);
    this.informer = client.resources(VolumeSnapshot.class).inAnyNamespace().inform(new Handler());
  }

  /** Starts one with a 100 ms cut delay and a 200 ms ready delay. */
  public static FakeSnapshotter start(KubernetesClient client) {
    return start(client, Duration.ofMillis(100), Duration.ofMillis(200));
  }

  /**
   * Starts watching; returns once the informer has synced.
   *
   * @param cutDelay time from binding to the cut ({@code status.creationTime})
   * @param readyDelay time from the cut to {@code readyToUse=true}
   */
  public static FakeSnapshotter start(
      KubernetesClient client, Duration cutDelay, Duration readyDelay) {
    return new FakeSnapshotter(
        Objects.requireNonNull(client),
        Objects.requireNonNull(cutDelay),
        Objects.requireNonNull(readyDelay));
  }

  /** How to handle snapshots of this PVC from now on. */
  public FakeSnapshotter onPvc(String namespace, String pvc, SnapshotBehaviour behaviour) {
    byPvc.put(key(namespace, pvc), Objects.requireNonNull(behaviour));
    return this;
  }

  /** How to handle the VolumeSnapshot of this name; takes precedence over {@link #onPvc}. */
  public FakeSnapshotter onSnapshot(
      String namespace, String snapshot, SnapshotBehaviour behaviour) {
    bySnapshot.put(key(namespace, snapshot), Objects.requireNonNull(behaviour));
    return this;
  }

  /**
   * What the storage does at each cut, before {@code status.creationTime} is written (e.g. copy a
   * real disk image): the snapshot is cut only once it returns, as a real driver's cut is.
   */
  public FakeSnapshotter onCut(Consumer<VolumeSnapshot> action) {
    cutAction = Objects.requireNonNull(action);
    return this;
  }

  /**
   * Holds every cut until {@code release} opens (at most {@code atMost}), so that a test can look
   * at a guest while it is surely frozen, however slow the machine: a fixed cut delay may end the
   * freeze before a loaded machine has finished looking.
   */
  public FakeSnapshotter holdCutsUntil(CountDownLatch release, Duration atMost) {
    Objects.requireNonNull(release);
    return onCut(
        snapshot -> {
          try {
            release.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  /** What happened to the VolumeSnapshot of this name, if the snapshotter has seen it. */
  public Optional<SnapshotRecord> record(String namespace, String name) {
    return Optional.ofNullable(records.get(key(namespace, name)));
  }

  /**
   * Its watch of the VolumeSnapshots in all namespaces, for another fake in the same JVM to follow
   * (e.g. a node helper waiting for cuts) rather than start a watch of its own that decodes every
   * event again. It belongs to this snapshotter: closed with it.
   */
  public SharedIndexInformer<VolumeSnapshot> volumeSnapshots() {
    return informer;
  }

  /** Everything seen so far, in no particular order. */
  public List<SnapshotRecord> records() {
    return new ArrayList<>(records.values());
  }

  @Override
  public void close() {
    informer.close();
    lookups.close();
    timer.shutdownNow();
    steps.shutdownNow();
    try {
      steps.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Handler implements ResourceEventHandler<VolumeSnapshot> {
    @Override
    public void onAdd(VolumeSnapshot snapshot) {
      onChange(snapshot);
    }

    @Override
    public void onUpdate(VolumeSnapshot old, VolumeSnapshot snapshot) {
      onChange(snapshot);
    }

    @Override
    public void onDelete(VolumeSnapshot snapshot, boolean deletedFinalStateUnknown) {
      handled.remove(snapshot.getMetadata().getUid());
    }
  }

  private void onChange(VolumeSnapshot snapshot) {
    if (snapshot.isMarkedForDeletion()) {
      if (snapshot.hasFinalizer(BOUND_FINALIZER)) {
        submit(() -> release(snapshot), Duration.ZERO);
      }
      return;
    }
    // a member of a group snapshot is the group controller's (FakeGroupSnapshotter), not ours
    boolean groupMember =
        snapshot.getMetadata().getOwnerReferences() != null
            && snapshot.getMetadata().getOwnerReferences().stream()
                .anyMatch(ref -> "VolumeGroupSnapshot".equals(ref.getKind()));
    // a snapshot with a status was taken on before (e.g. by an earlier snapshotter): left alone
    if (!groupMember
        && snapshot.getStatus() == null
        && handled.add(snapshot.getMetadata().getUid())) {
      Instant seen = Instant.now();
      String namespace = snapshot.getMetadata().getNamespace();
      String name = snapshot.getMetadata().getName();
      String pvc =
          snapshot.getSpec() == null || snapshot.getSpec().getSource() == null
              ? null
              : snapshot.getSpec().getSource().getPersistentVolumeClaimName();
      records.put(
          key(namespace, name),
          new SnapshotRecord(namespace, name, pvc, seen, null, null, null, null, null, null));
      submit(() -> bind(snapshot), Duration.ZERO);
    }
  }

  /**
   * As the controller: resolve inputs, create and bind the content; as the driver: cut the cut
   * delay after the content was created.
   */
  private void bind(VolumeSnapshot snapshot) {
    SnapshotInputs inputs;
    try {
      inputs = SnapshotInputs.resolve(lookups, snapshot);
    } catch (SnapshotInputs.InvalidSnapshotException e) {
      fail(snapshot, e.getMessage());
      return;
    }
    if (inputs.classDefaulted()) {
      writes.mergePatch(
          snapshot,
          null,
          Serialization.asJson(
              Map.of(
                  "spec",
                  Map.of(
                      "volumeSnapshotClassName", inputs.snapshotClass().getMetadata().getName()))));
    }
    String contentName = "snapcontent-" + snapshot.getMetadata().getUid();
    try {
      writes.create(content(snapshot, inputs, contentName));
    } catch (KubernetesClientException e) {
      // the client retries a POST that timed out on a busy server: the first attempt made it, as
      // the real controller finds its content of the snapshot's uid already there
      if (e.getCode() != 409) {
        throw e;
      }
    }
    // the driver's cut starts with the content, as the CSI sidecar calls CreateSnapshot when it
    // sees the content while the controller binds the snapshot; the cut is still written after
    // the binding, so the operator sees the order a real cluster shows
    Instant contentAt = Instant.now();
    records.computeIfPresent(recordKey(snapshot), (k, r) -> r.withContent(contentAt));
    addBoundFinalizer(snapshot, !inputs.classDefaulted());
    VolumeSnapshotStatus bound = new VolumeSnapshotStatus();
    bound.setBoundVolumeSnapshotContentName(contentName);
    bound.setReadyToUse(false);
    patchStatus(snapshot, bound);

    SnapshotBehaviour behaviour = behaviourFor(snapshot);
    if (behaviour.outcome() == SnapshotBehaviour.Outcome.NEVER_CUT) {
      return;
    }
    Duration delay = behaviour.cutDelay() != null ? behaviour.cutDelay() : cutDelay;
    Duration left = Duration.between(Instant.now(), contentAt.plus(delay));
    submit(
        () -> cut(snapshot, inputs, contentName, behaviour),
        left.isNegative() ? Duration.ZERO : left);
  }

  /**
   * As the real controller: an update of the copy it was told about (one request), carrying that
   * copy's resourceVersion; if the snapshot changed since (409) or was just patched, a read and an
   * update.
   */
  private void addBoundFinalizer(VolumeSnapshot seen, boolean seenIsCurrent) {
    if (seenIsCurrent) {
      // a copy of the metadata only: the informer's object must not change
      VolumeSnapshot copy = new VolumeSnapshot();
      copy.setMetadata(new ObjectMetaBuilder(seen.getMetadata()).build());
      copy.setSpec(seen.getSpec());
      copy.setStatus(seen.getStatus());
      seen.getAdditionalProperties().forEach(copy::setAdditionalProperty);
      copy.addFinalizer(BOUND_FINALIZER);
      try {
        writes.update(copy);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    snapshotResource(seen)
        .edit(
            s -> {
              s.addFinalizer(BOUND_FINALIZER);
              return s;
            });
  }

  private void cut(
      VolumeSnapshot snapshot,
      SnapshotInputs inputs,
      String contentName,
      SnapshotBehaviour behaviour) {
    if (behaviour.outcome() == SnapshotBehaviour.Outcome.FAIL) {
      fail(snapshot, behaviour.failureMessage());
      return;
    }
    Instant cutAt = Instant.now();
    cutAction.accept(snapshot);
    records.computeIfPresent(recordKey(snapshot), (k, r) -> r.withCut(cutAt));
    VolumeSnapshotContentStatus contentStatus = new VolumeSnapshotContentStatus();
    contentStatus.setSnapshotHandle("snapshot-" + snapshot.getMetadata().getUid());
    contentStatus.setCreationTime(cutAt.getEpochSecond() * 1_000_000_000L + cutAt.getNano());
    contentStatus.setReadyToUse(false);
    writes.mergePatch(
        contentNamed(contentName), "status", Serialization.asJson(Map.of("status", contentStatus)));
    VolumeSnapshotStatus status = new VolumeSnapshotStatus();
    status.setCreationTime(rfc3339(cutAt));
    patchStatus(snapshot, status);
    Instant written = Instant.now();
    records.computeIfPresent(recordKey(snapshot), (k, r) -> r.withCutWritten(written));
    if (behaviour.outcome() == SnapshotBehaviour.Outcome.READY) {
      submit(() -> ready(snapshot, inputs, contentName), readyDelay);
    }
  }

  private void ready(VolumeSnapshot snapshot, SnapshotInputs inputs, String contentName) {
    Instant readyAt = Instant.now();
    records.computeIfPresent(recordKey(snapshot), (k, r) -> r.withReady(readyAt));
    writes.mergePatch(
        contentNamed(contentName),
        "status",
        Serialization.asJson(
            Map.of(
                "status",
                Map.of(
                    "readyToUse",
                    true,
                    "restoreSize",
                    inputs.restoreSize().getNumericalAmount().longValue()))));
    VolumeSnapshotStatus status = new VolumeSnapshotStatus();
    status.setReadyToUse(true);
    status.setRestoreSize(inputs.restoreSize());
    patchStatus(snapshot, status);
  }

  private void fail(VolumeSnapshot snapshot, String message) {
    Instant failedAt = Instant.now();
    records.computeIfPresent(recordKey(snapshot), (k, r) -> r.withFailure(failedAt, message));
    VolumeSnapshotStatus status = new VolumeSnapshotStatus();
    status.setReadyToUse(false);
    status.setError(new VolumeSnapshotError(message, rfc3339(failedAt)));
    patchStatus(snapshot, status);
  }

  /** A deleted snapshot: delete its content unless retained, then let the snapshot go. */
  private void release(VolumeSnapshot seen) {
    VolumeSnapshot snapshot = snapshotResource(seen).get();
    if (snapshot == null || !snapshot.hasFinalizer(BOUND_FINALIZER)) {
      return;
    }
    String contentName =
        snapshot.getStatus() == null
            ? null
            : snapshot.getStatus().getBoundVolumeSnapshotContentName();
    if (contentName != null) {
      Resource<VolumeSnapshotContent> content =
          client.resources(VolumeSnapshotContent.class).withName(contentName);
      VolumeSnapshotContent live = content.get();
      if (live != null && !DeletionPolicy.RETAIN.equals(live.getSpec().getDeletionPolicy())) {
        content.delete();
      }
    }
    snapshotResource(snapshot)
        .edit(
            s -> {
              s.removeFinalizer(BOUND_FINALIZER);
              return s;
            });
  }

  /** A content by name only, to patch. */
  private static VolumeSnapshotContent contentNamed(String name) {
    VolumeSnapshotContent content = new VolumeSnapshotContent();
    content.getMetadata().setName(name);
    return content;
  }

  private VolumeSnapshotContent content(
      VolumeSnapshot snapshot, SnapshotInputs inputs, String contentName) {
    VolumeSnapshotContent content = new VolumeSnapshotContent();
    content.getMetadata().setName(contentName);
    VolumeSnapshotContentSpec spec = new VolumeSnapshotContentSpec();
    spec.setDriver(inputs.driver());
    spec.setDeletionPolicy(
        Optional.ofNullable(inputs.snapshotClass().getDeletionPolicy())
            .orElse(DeletionPolicy.DELETE));
    spec.setVolumeSnapshotClassName(inputs.snapshotClass().getMetadata().getName());
    spec.setVolumeSnapshotRef(
        new ObjectReferenceBuilder()
            .withApiVersion(snapshot.getApiVersion())
            .withKind(snapshot.getKind())
            .withNamespace(snapshot.getMetadata().getNamespace())
            .withName(snapshot.getMetadata().getName())
            .withUid(snapshot.getMetadata().getUid())
            .build());
    VolumeSnapshotContentSource source = new VolumeSnapshotContentSource();
    source.setVolumeHandle(inputs.volumeHandle());
    spec.setSource(source);
    spec.setSourceVolumeMode(inputs.pvc().getSpec().getVolumeMode());
    content.setSpec(spec);
    return content;
  }

  private SnapshotBehaviour behaviourFor(VolumeSnapshot snapshot) {
    String namespace = snapshot.getMetadata().getNamespace();
    SnapshotBehaviour forSnapshot =
        bySnapshot.get(key(namespace, snapshot.getMetadata().getName()));
    if (forSnapshot != null) {
      return forSnapshot;
    }
    String pvc = snapshot.getSpec().getSource().getPersistentVolumeClaimName();
    return byPvc.getOrDefault(key(namespace, pvc), SnapshotBehaviour.normal());
  }

  private void patchStatus(VolumeSnapshot snapshot, VolumeSnapshotStatus status) {
    writes.mergePatch(snapshot, "status", Serialization.asJson(Map.of("status", status)));
  }

  private Resource<VolumeSnapshot> snapshotResource(VolumeSnapshot snapshot) {
    return client
        .resources(VolumeSnapshot.class)
        .inNamespace(snapshot.getMetadata().getNamespace())
        .withName(snapshot.getMetadata().getName());
  }

  /** Runs a step later; a snapshot deleted meanwhile (404) ends its steps quietly. */
  private void submit(Runnable step, Duration delay) {
    if (steps.isShutdown()) {
      return;
    }
    try {
      schedule(step, delay);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void schedule(Runnable step, Duration delay) {
    Runnable guarded =
        () -> {
          try {
            step.run();
          } catch (RuntimeException e) {
            boolean gone = e instanceof KubernetesClientException k && k.getCode() == 404;
            if (!gone && !steps.isShutdown()) {
              LOG.warn("FakeSnapshotter step failed", e);
            }
          }
        };
    if (delay.isZero()) {
      steps.execute(guarded);
      return;
    }
    timer.schedule(
        () -> {
          try {
            steps.execute(guarded);
          } catch (RejectedExecutionException e) {
            // closed meanwhile
          }
        },
        delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private static String recordKey(VolumeSnapshot snapshot) {
    return key(snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName());
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** As Kubernetes writes {@code metav1.Time}: RFC 3339, whole seconds. */
  private static String rfc3339(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
