package io.quiesce.sandbox;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.kube.csi.DeletionPolicy;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.csi.VolumeSnapshotContent;
import io.quiesce.kube.csi.VolumeSnapshotContentSource;
import io.quiesce.kube.csi.VolumeSnapshotContentSpec;
import io.quiesce.kube.csi.VolumeSnapshotError;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sandbox's CSI snapshotter, which CUTS FOR REAL: for each new VolumeSnapshot of a PVC carrying
 * {@link Sandbox#IMAGE_ANNOTATION}, it creates the bound VolumeSnapshotContent, copies the image to
 * {@code <sandbox dir>/snapshots/<ns>_<name>.img}, and only once the copy is complete sets {@code
 * status.creationTime} (the moment the copy began) and the bound content; then {@code
 * readyToUse=true} and {@code restoreSize}. Status is written as {@code FakeSnapshotter} writes it:
 * JSON merge patches of the status subresource.
 *
 * <p>Usage: {@code SandboxSnapshotter <sandbox dir>}; talks to {@code -Dkubernetes.master}.
 */
public final class SandboxSnapshotter implements ResourceEventHandler<VolumeSnapshot> {

  private final KubernetesClient client;
  private final Path sandboxDir;
  private final ExecutorService cuts = Executors.newFixedThreadPool(4);
  private final Set<String> handled = ConcurrentHashMap.newKeySet();

  private SandboxSnapshotter(KubernetesClient client, Path sandboxDir) {
    this.client = client;
    this.sandboxDir = sandboxDir;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: SandboxSnapshotter <sandbox dir>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    Files.createDirectories(Sandbox.snapshotDir(dir));
    KubernetesClient client = new KubernetesClientBuilder().build();
    SandboxSnapshotter snapshotter = new SandboxSnapshotter(client, dir);
    var informer = client.resources(VolumeSnapshot.class).inAnyNamespace().inform(snapshotter);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  informer.close();
                  snapshotter.cuts.shutdownNow();
                  client.close();
                  stopped.countDown();
                },
                "sandbox-snapshotter-shutdown"));
    System.out.println(
        "sandbox snapshotter: copying snapshot images to " + Sandbox.snapshotDir(dir));
    stopped.await();
  }

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

  private void onChange(VolumeSnapshot snapshot) {
    if (snapshot.getStatus() == null
        && !snapshot.isMarkedForDeletion()
        && handled.add(snapshot.getMetadata().getUid())) {
      cuts.execute(
          () -> {
            try {
              cut(snapshot);
            } catch (Exception e) {
              System.err.println("cut of " + name(snapshot) + " failed: " + e);
              fail(snapshot, "sandbox snapshotter: " + e.getMessage());
            }
          });
    }
  }

  private void cut(VolumeSnapshot snapshot) throws Exception {
    String namespace = snapshot.getMetadata().getNamespace();
    String claim =
        Optional.ofNullable(snapshot.getSpec().getSource().getPersistentVolumeClaimName())
            .orElseThrow(
                () ->
                    new IllegalArgumentException("only dynamic snapshots of a PVC are supported"));
    PersistentVolumeClaim pvc =
        client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
    if (pvc == null) {
      throw new IllegalArgumentException("persistentvolumeclaim \"" + claim + "\" not found");
    }
    Path image =
        Path.of(
            Optional.ofNullable(pvc.getMetadata().getAnnotations())
                .map(a -> a.get(Sandbox.IMAGE_ANNOTATION))
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "PVC " + claim + " has no " + Sandbox.IMAGE_ANNOTATION)));
    String contentName = "snapcontent-" + snapshot.getMetadata().getUid();
    client.resource(content(snapshot, pvc, contentName)).create();

    Path target = Sandbox.snapshotImage(sandboxDir, namespace, snapshot.getMetadata().getName());
    Instant cutAt = Instant.now();
    long started = System.nanoTime();
    ImageCopy.copy(image, target);
    long copyMs = Duration.ofNanos(System.nanoTime() - started).toMillis();

    client
        .resources(VolumeSnapshotContent.class)
        .withName(contentName)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(
                Map.of(
                    "status",
                    Map.of(
                        "snapshotHandle",
                        target.toString(),
                        "creationTime",
                        cutAt.getEpochSecond() * 1_000_000_000L + cutAt.getNano(),
                        "readyToUse",
                        false))));
    VolumeSnapshotStatus cut = new VolumeSnapshotStatus();
    cut.setBoundVolumeSnapshotContentName(contentName);
    cut.setCreationTime(rfc3339(cutAt));
    cut.setReadyToUse(false);
    patchStatus(snapshot, cut);
    System.out.println("cut " + name(snapshot) + ": copied " + image + " in " + copyMs + " ms");

    Quantity size = pvc.getStatus().getCapacity().get("storage");
    client
        .resources(VolumeSnapshotContent.class)
        .withName(contentName)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(
                Map.of(
                    "status",
                    Map.of(
                        "readyToUse",
                        true,
                        "restoreSize",
                        size.getNumericalAmount().longValue()))));
    VolumeSnapshotStatus ready = new VolumeSnapshotStatus();
    ready.setReadyToUse(true);
    ready.setRestoreSize(size);
    patchStatus(snapshot, ready);
  }

  private VolumeSnapshotContent content(
      VolumeSnapshot snapshot, PersistentVolumeClaim pvc, String contentName) {
    VolumeSnapshotClass snapshotClass =
        client
            .resources(VolumeSnapshotClass.class)
            .withName(snapshot.getSpec().getVolumeSnapshotClassName())
            .require();
    PersistentVolume pv =
        client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).require();
    VolumeSnapshotContent content = new VolumeSnapshotContent();
    content.getMetadata().setName(contentName);
    VolumeSnapshotContentSpec spec = new VolumeSnapshotContentSpec();
    spec.setDriver(snapshotClass.getDriver());
    spec.setDeletionPolicy(
        Optional.ofNullable(snapshotClass.getDeletionPolicy()).orElse(DeletionPolicy.DELETE));
    spec.setVolumeSnapshotClassName(snapshotClass.getMetadata().getName());
    spec.setVolumeSnapshotRef(
        new ObjectReferenceBuilder()
            .withApiVersion(snapshot.getApiVersion())
            .withKind(snapshot.getKind())
            .withNamespace(snapshot.getMetadata().getNamespace())
            .withName(snapshot.getMetadata().getName())
            .withUid(snapshot.getMetadata().getUid())
            .build());
    VolumeSnapshotContentSource source = new VolumeSnapshotContentSource();
    source.setVolumeHandle(pv.getSpec().getCsi().getVolumeHandle());
    spec.setSource(source);
    spec.setSourceVolumeMode(pvc.getSpec().getVolumeMode());
    content.setSpec(spec);
    return content;
  }

  private void fail(VolumeSnapshot snapshot, String message) {
    VolumeSnapshotStatus status = new VolumeSnapshotStatus();
    status.setReadyToUse(false);
    status.setError(new VolumeSnapshotError(message, rfc3339(Instant.now())));
    try {
      patchStatus(snapshot, status);
    } catch (RuntimeException e) {
      System.err.println("cannot record the failure of " + name(snapshot) + ": " + e);
    }
  }

  private void patchStatus(VolumeSnapshot snapshot, VolumeSnapshotStatus status) {
    client
        .resources(VolumeSnapshot.class)
        .inNamespace(snapshot.getMetadata().getNamespace())
        .withName(snapshot.getMetadata().getName())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  private static String name(VolumeSnapshot snapshot) {
    return snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName();
  }

  /** As Kubernetes writes {@code metav1.Time}: RFC 3339, whole seconds. */
  private static String rfc3339(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
