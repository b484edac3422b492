package io.quiesce.testkit.kube.csi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.kube.csi.DeletionPolicy;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeGroupSnapshotClass;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotContent;
import io.quiesce.kube.csi.VolumeSnapshotContentSource;
import io.quiesce.kube.csi.VolumeSnapshotContentSpec;
import io.quiesce.kube.csi.VolumeSnapshotContentStatus;
import io.quiesce.kube.csi.VolumeSnapshotSource;
import io.quiesce.kube.csi.VolumeSnapshotSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake of the CSI group-snapshot controller and a driver with the group capability, for tests on
 * the test API server (a fake: no storage here). It watches VolumeGroupSnapshots of one served
 * version and, for each new one, as external-snapshotter 8.x does: resolves the class (named, else
 * the default of the PVCs' driver), selects the PVCs by the label selector, creates a bound
 * VolumeGroupSnapshotContent, and after the cut delay creates one member VolumeSnapshot per PVC
 * (named {@code snapshot-<sha256(group uid + volume handle)>}, owned by the group, {@code
 * spec.source.persistentVolumeClaimName} and {@code status.volumeGroupSnapshotName} set) and its
 * VolumeSnapshotContent, all with the same {@code creationTime}, then the group's {@code
 * status.creationTime}; after the ready delay every member and the group are ready. Errors (no
 * class, no PVC, a PVC of another driver, a {@link SnapshotBehaviour#fail} set for the group) go to
 * the group's {@code status.error}. A deleted group's members are deleted with it (deletionPolicy
 * Delete).
 *
 * <p>Run it next to a {@link FakeSnapshotter}, which leaves group members to it.
 */
public final class FakeGroupSnapshotter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakeGroupSnapshotter.class);

  private final KubernetesClient client;
  private final String version;
  private final Duration cutDelay;
  private final Duration readyDelay;
  private final ScheduledExecutorService steps;
  private final Map<String, SnapshotBehaviour> byGroup = new ConcurrentHashMap<>();
  private final Map<String, GroupSnapshotRecord> records = new ConcurrentHashMap<>();
  private final Set<String> handled = ConcurrentHashMap.newKeySet();
  private final SharedIndexInformer<GenericKubernetesResource> informer;

  private FakeGroupSnapshotter(
      KubernetesClient client, String version, Duration cutDelay, Duration readyDelay) {
    this.client = client;
    this.version = version;
    this.cutDelay = cutDelay;
    this.readyDelay = readyDelay;
    this.steps =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread thread = new Thread(r, "fake-group-snapshotter");
              thread.setDaemon(true);
              return thread;
            });
    this.informer =
        client
            .genericKubernetesResources(VolumeGroupSnapshotApi.groupSnapshots(version))
            .inAnyNamespace()
            .inform(new Handler());
  }

  /**
   * Starts watching VolumeGroupSnapshots of {@code version} (whose CRD must be served); returns
   * once the informer has synced.
   */
  public static FakeGroupSnapshotter start(
      KubernetesClient client, String version, Duration cutDelay, Duration readyDelay) {
    return new FakeGroupSnapshotter(
        Objects.requireNonNull(client),
        Objects.requireNonNull(version),
        Objects.requireNonNull(cutDelay),
        Objects.requireNonNull(readyDelay));
  }

  /**
   * How to handle the group snapshot of this name: {@link SnapshotBehaviour.Outcome#FAIL}, never
   * cut, slow cut.
   */
  public FakeGroupSnapshotter onGroup(String namespace, String name, SnapshotBehaviour behaviour) {
    byGroup.put(namespace + "/" + name, Objects.requireNonNull(behaviour));
    return this;
  }

  public Optional<GroupSnapshotRecord> record(String namespace, String name) {
    return Optional.ofNullable(records.get(namespace + "/" + name));
  }

  public List<GroupSnapshotRecord> records() {
    return new ArrayList<>(records.values());
  }

  @Override
  public void close() {
    informer.close();
    steps.shutdownNow();
    try {
      steps.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource group) {
      onChange(group);
    }

    @Override
    public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource group) {
      onChange(group);
    }

    @Override
    public void onDelete(GenericKubernetesResource group, boolean deletedFinalStateUnknown) {
      handled.remove(group.getMetadata().getUid());
      submit(
          () -> deleteMembers(VolumeGroupSnapshotApi.typed(group, VolumeGroupSnapshot.class)),
          Duration.ZERO);
    }
  }

  private void onChange(GenericKubernetesResource generic) {
    VolumeGroupSnapshot group = VolumeGroupSnapshotApi.typed(generic, VolumeGroupSnapshot.class);
    if (group.getStatus() == null && handled.add(group.getMetadata().getUid())) {
      String key = key(group);
      records.put(
          key,
          new GroupSnapshotRecord(
              group.getMetadata().getNamespace(),
              group.getMetadata().getName(),
              List.of(),
              List.of(),
              Instant.now(),
              null,
              null,
              null));
      submit(() -> bind(group), Duration.ZERO);
    }
  }

  /** The PVCs, their driver and volume handles, and the class; or why not. */
  private record Inputs(
      List<PersistentVolumeClaim> pvcs,
      List<String> handles,
      VolumeGroupSnapshotClass groupClass) {}

  private static final class InvalidGroupException extends Exception {
    InvalidGroupException(String message) {
      super(message);
    }
  }

  private Inputs resolve(VolumeGroupSnapshot group) throws InvalidGroupException {
    String ns = group.getMetadata().getNamespace();
    if (group.getSpec() == null
        || group.getSpec().getSource() == null
        || group.getSpec().getSource().getSelector() == null) {
      throw new InvalidGroupException(
          "FakeGroupSnapshotter takes dynamic group snapshots by selector only");
    }
    List<PersistentVolumeClaim> pvcs =
        client
            .persistentVolumeClaims()
            .inNamespace(ns)
            .withLabelSelector(group.getSpec().getSource().getSelector())
            .list()
            .getItems()
            .stream()
            .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()))
            .toList();
    if (pvcs.isEmpty()) {
      throw new InvalidGroupException(
          "no PersistentVolumeClaim in namespace " + ns + " matches the selector");
    }
    Map<String, String> drivers = new LinkedHashMap<>();
    List<String> handles = new ArrayList<>();
    for (PersistentVolumeClaim pvc : pvcs) {
      PersistentVolume pv =
          pvc.getSpec().getVolumeName() == null
              ? null
              : client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).get();
      try {
        drivers.put(pvc.getMetadata().getName(), SnapshotInputs.driver(client, pvc, pv));
      } catch (SnapshotInputs.InvalidSnapshotException e) {
        throw new InvalidGroupException(e.getMessage());
      }
      handles.add(
          pv != null && pv.getSpec().getCsi() != null
              ? pv.getSpec().getCsi().getVolumeHandle()
              : pvc.getMetadata().getUid());
    }
    List<VolumeGroupSnapshotClass> classes = VolumeGroupSnapshotApi.listClasses(client, version);
    String named = group.getSpec().getVolumeGroupSnapshotClassName();
    VolumeGroupSnapshotClass groupClass;
    if (named != null) {
      groupClass =
          classes.stream()
              .filter(c -> named.equals(c.getMetadata().getName()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidGroupException(
                          "volumegroupsnapshotclass \"" + named + "\" not found"));
    } else {
      String driver = drivers.values().iterator().next();
      List<VolumeGroupSnapshotClass> defaults =
          classes.stream().filter(c -> driver.equals(c.getDriver()) && c.isDefault()).toList();
      if (defaults.size() != 1) {
        throw new InvalidGroupException(
            "cannot find a default group snapshot class for driver " + driver);
      }
      groupClass = defaults.get(0);
    }
    for (Map.Entry<String, String> e : drivers.entrySet()) {
      if (!e.getValue().equals(groupClass.getDriver())) {
        throw new InvalidGroupException(
            "PersistentVolumeClaim "
                + e.getKey()
                + " uses driver "
                + e.getValue()
                + ", the group snapshot class "
                + groupClass.getMetadata().getName()
                + " is for "
                + groupClass.getDriver());
      }
    }
    return new Inputs(pvcs, handles, groupClass);
  }

  private void bind(VolumeGroupSnapshot group) {
    Inputs inputs;
    try {
      inputs = resolve(group);
    } catch (InvalidGroupException e) {
      fail(group, e.getMessage());
      return;
    }
    String contentName = "groupsnapcontent-" + group.getMetadata().getUid();
    GenericKubernetesResource content = new GenericKubernetesResource();
    content.setApiVersion(VolumeGroupSnapshotApi.apiVersion(version));
    content.setKind("VolumeGroupSnapshotContent");
    content.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(contentName).build());
    content.setAdditionalProperties(
        Map.of(
            "spec",
            Map.of(
                "driver", inputs.groupClass().getDriver(),
                "deletionPolicy",
                    Optional.ofNullable(inputs.groupClass().getDeletionPolicy())
                        .orElse(DeletionPolicy.DELETE),
                "volumeGroupSnapshotClassName", inputs.groupClass().getMetadata().getName(),
                "volumeGroupSnapshotRef",
                    Map.of(
                        "kind",
                        VolumeGroupSnapshotApi.KIND,
                        "name",
                        group.getMetadata().getName(),
                        "namespace",
                        group.getMetadata().getNamespace(),
                        "uid",
                        group.getMetadata().getUid()),
                "source", Map.of("volumeHandles", inputs.handles()))));
    client.genericKubernetesResources(contentContext()).resource(content).create();
    patchGroupStatus(
        group, Map.of("boundVolumeGroupSnapshotContentName", contentName, "readyToUse", false));
    SnapshotBehaviour behaviour = byGroup.getOrDefault(key(group), SnapshotBehaviour.normal());
    if (behaviour.outcome() == SnapshotBehaviour.Outcome.NEVER_CUT) {
      return;
    }
    Duration delay = behaviour.cutDelay() != null ? behaviour.cutDelay() : cutDelay;
    submit(() -> cut(group, inputs, behaviour), delay);
  }

  private void cut(VolumeGroupSnapshot group, Inputs inputs, SnapshotBehaviour behaviour) {
    if (behaviour.outcome() == SnapshotBehaviour.Outcome.FAIL) {
      fail(group, behaviour.failureMessage());
      return;
    }
    Instant cutAt = Instant.now();
    String creationTime = rfc3339(cutAt);
    List<String> members = new ArrayList<>();
    List<String> pvcs = new ArrayList<>();
    for (int i = 0; i < inputs.pvcs().size(); i++) {
      PersistentVolumeClaim pvc = inputs.pvcs().get(i);
      String handle = inputs.handles().get(i);
      String suffix = sha256(group.getMetadata().getUid() + handle);
      String memberName = "snapshot-" + suffix;
      String contentName = "snapcontent-" + suffix;
      createMember(group, pvc, memberName, contentName, handle, inputs.groupClass(), cutAt);
      members.add(memberName);
      pvcs.add(pvc.getMetadata().getName());
    }
    records.computeIfPresent(key(group), (k, r) -> r.cut(pvcs, members, cutAt));
    patchGroupStatus(group, Map.of("creationTime", creationTime));
    if (behaviour.outcome() == SnapshotBehaviour.Outcome.READY) {
      submit(() -> ready(group, inputs, members), readyDelay);
    }
  }

  private void createMember(
      VolumeGroupSnapshot group,
      PersistentVolumeClaim pvc,
      String memberName,
      String contentName,
      String handle,
      VolumeGroupSnapshotClass groupClass,
      Instant cutAt) {
    String ns = group.getMetadata().getNamespace();
    VolumeSnapshotContent content = new VolumeSnapshotContent();
    content.getMetadata().setName(contentName);
    VolumeSnapshotContentSpec contentSpec = new VolumeSnapshotContentSpec();
    contentSpec.setDriver(groupClass.getDriver());
    contentSpec.setDeletionPolicy(
        Optional.ofNullable(groupClass.getDeletionPolicy()).orElse(DeletionPolicy.DELETE));
    contentSpec.setVolumeSnapshotRef(
        new ObjectReferenceBuilder()
            .withKind("VolumeSnapshot")
            .withName(memberName)
            .withNamespace(ns)
            .build());
    VolumeSnapshotContentSource contentSource = new VolumeSnapshotContentSource();
    contentSource.setVolumeHandle(handle);
    contentSpec.setSource(contentSource);
    contentSpec.setSourceVolumeMode(pvc.getSpec().getVolumeMode());
    content.setSpec(contentSpec);
    client.resource(content).create();
    VolumeSnapshotContentStatus contentStatus = new VolumeSnapshotContentStatus();
    contentStatus.setSnapshotHandle("snapshot-" + handle + "-" + group.getMetadata().getUid());
    contentStatus.setCreationTime(cutAt.getEpochSecond() * 1_000_000_000L + cutAt.getNano());
    contentStatus.setReadyToUse(false);
    client
        .resources(VolumeSnapshotContent.class)
        .withName(contentName)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("status", contentStatus)));

    VolumeSnapshot member = new VolumeSnapshot();
    member.getMetadata().setName(memberName);
    member.getMetadata().setNamespace(ns);
    member
        .getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion(group.getApiVersion())
                    .withKind(VolumeGroupSnapshotApi.KIND)
                    .withName(group.getMetadata().getName())
                    .withUid(group.getMetadata().getUid())
                    .build()));
    VolumeSnapshotSource source = new VolumeSnapshotSource();
    source.setPersistentVolumeClaimName(pvc.getMetadata().getName());
    VolumeSnapshotSpec spec = new VolumeSnapshotSpec();
    spec.setSource(source);
    member.setSpec(spec);
    client.resource(member).create();
    client
        .resources(VolumeSnapshot.class)
        .inNamespace(ns)
        .withName(memberName)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(
                Map.of(
                    "status",
                    Map.of(
                        "boundVolumeSnapshotContentName",
                        contentName,
                        "creationTime",
                        rfc3339(cutAt),
                        "readyToUse",
                        false,
                        "volumeGroupSnapshotName",
                        group.getMetadata().getName()))));
  }

  private void ready(VolumeGroupSnapshot group, Inputs inputs, List<String> members) {
    String ns = group.getMetadata().getNamespace();
    for (int i = 0; i < members.size(); i++) {
      Quantity size = restoreSize(inputs.pvcs().get(i));
      client
          .resources(VolumeSnapshot.class)
          .inNamespace(ns)
          .withName(members.get(i))
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(
                  Map.of("status", Map.of("readyToUse", true, "restoreSize", size.toString()))));
    }
    records.computeIfPresent(key(group), (k, r) -> r.ready(Instant.now()));
    patchGroupStatus(group, Map.of("readyToUse", true));
  }

  private void fail(VolumeGroupSnapshot group, String message) {
    records.computeIfPresent(key(group), (k, r) -> r.failed(message));
    patchGroupStatus(
        group,
        Map.of(
            "readyToUse",
            false,
            "error",
            Map.of("message", message, "time", rfc3339(Instant.now()))));
  }

  private void deleteMembers(VolumeGroupSnapshot group) {
    client
        .resources(VolumeSnapshot.class)
        .inNamespace(group.getMetadata().getNamespace())
        .list()
        .getItems()
        .stream()
        .filter(
            vs ->
                vs.getMetadata().getOwnerReferences() != null
                    && vs.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> group.getMetadata().getUid().equals(ref.getUid())))
        .forEach(vs -> client.resource(vs).delete());
  }

  private void patchGroupStatus(VolumeGroupSnapshot group, Map<String, Object> status) {
    client
        .genericKubernetesResources(VolumeGroupSnapshotApi.groupSnapshots(version))
        .inNamespace(group.getMetadata().getNamespace())
        .withName(group.getMetadata().getName())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  private io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext contentContext() {
    return new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
        .withGroup(VolumeGroupSnapshotApi.GROUP)
        .withVersion(version)
        .withPlural("volumegroupsnapshotcontents")
        .withKind("VolumeGroupSnapshotContent")
        .withNamespaced(false)
        .build();
  }

  private static Quantity restoreSize(PersistentVolumeClaim pvc) {
    Map<String, Quantity> capacity = pvc.getStatus() == null ? null : pvc.getStatus().getCapacity();
    if (capacity != null && capacity.containsKey("storage")) {
      return capacity.get("storage");
    }
    return pvc.getSpec().getResources().getRequests().get("storage");
  }

  private void submit(Runnable step, Duration delay) {
    if (steps.isShutdown()) {
      return;
    }
    try {
      steps.schedule(
          () -> {
            try {
              step.run();
            } catch (RuntimeException e) {
              boolean gone = e instanceof KubernetesClientException k && k.getCode() == 404;
              if (!gone && !steps.isShutdown()) {
                LOG.warn("FakeGroupSnapshotter step failed", e);
              }
            }
          },
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private static String key(VolumeGroupSnapshot group) {
    return group.getMetadata().getNamespace() + "/" + group.getMetadata().getName();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rfc3339(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
