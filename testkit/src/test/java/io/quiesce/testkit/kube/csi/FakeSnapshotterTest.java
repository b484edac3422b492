package io.quiesce.testkit.kube.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotContent;
import io.quiesce.kube.csi.VolumeSnapshotSource;
import io.quiesce.kube.csi.VolumeSnapshotSpec;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each behaviour of the fake CSI snapshot controller, observed through the API. */
@KubeApiTest
class FakeSnapshotterTest {

  private static final Duration CUT = Duration.ofMillis(300);
  private static final Duration READY = Duration.ofMillis(300);
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final KubeApiServer server;
  private FakeSnapshotter snapshotter;
  private String ns;
  private String pvc;
  private String otherPvc;

  FakeSnapshotterTest(KubernetesClient client, KubeApiServer server) {
    this.client = client;
    this.server = server;
  }

  @BeforeEach
  void setUp() {
    ns = server.createNamespace("csi");
    var scenario = Fixtures.runningVm(ns, "vm").create(client);
    pvc = scenario.claimNames().get(0);
    otherPvc = scenario.claimNames().get(1);
    snapshotter = FakeSnapshotter.start(server.newClient(), CUT, READY);
  }

  @AfterEach
  void tearDown() {
    snapshotter.close();
  }

  @Test
  void bindsCutsThenMakesReadyWithTheClaimsSize() {
    VolumeSnapshot created = create("snap", pvc, null);

    VolumeSnapshot ready = awaitStatus("snap", s -> Boolean.TRUE.equals(s.getReadyToUse()));

    VolumeSnapshotStatus status = ready.getStatus();
    String contentName = "snapcontent-" + created.getMetadata().getUid();
    assertThat(status.getBoundVolumeSnapshotContentName()).isEqualTo(contentName);
    assertThat(status.getCreationTime()).isNotBlank();
    assertThat(status.getRestoreSize()).isEqualTo(new Quantity("2Gi"));
    assertThat(status.getError()).isNull();
    assertThat(ready.getSpec().getVolumeSnapshotClassName()).isEqualTo(Fixtures.SNAPSHOT_CLASS);
    assertThat(ready.getMetadata().getFinalizers()).contains(FakeSnapshotter.BOUND_FINALIZER);

    VolumeSnapshotContent content =
        client.resources(VolumeSnapshotContent.class).withName(contentName).get();
    assertThat(content.getSpec().getDriver()).isEqualTo(Fixtures.CSI_DRIVER);
    assertThat(content.getSpec().getDeletionPolicy()).isEqualTo("Delete");
    assertThat(content.getSpec().getVolumeSnapshotRef().getUid())
        .isEqualTo(created.getMetadata().getUid());
    assertThat(content.getStatus().getReadyToUse()).isTrue();
    assertThat(content.getStatus().getRestoreSize()).isEqualTo(2L * 1024 * 1024 * 1024);

    SnapshotRecord record = snapshotter.record(ns, "snap").orElseThrow();
    assertThat(record.pvc()).isEqualTo(pvc);
    assertThat(Duration.between(record.createdAt(), record.cut().orElseThrow()))
        .isGreaterThanOrEqualTo(CUT);
    assertThat(Duration.between(record.cutAt(), record.ready().orElseThrow()))
        .isGreaterThanOrEqualTo(READY);
    assertThat(record.failed()).isEmpty();
  }

  @Test
  void readsClaimsVolumesAndClassesFromCachesNotWithAGetPerSnapshot() {
    snapshotter.close();
    snapshotter = FakeSnapshotter.start(server.newClient("csi-cached"), CUT, READY);

    create("cached", pvc, null);
    create("cached-too", otherPvc, null);

    awaitStatus("cached", s -> Boolean.TRUE.equals(s.getReadyToUse()));
    awaitStatus("cached-too", s -> Boolean.TRUE.equals(s.getReadyToUse()));
    assertThat(server.requests().snapshot().keySet())
        .filteredOn(
            k ->
                k.client().equals("csi-cached")
                    && k.verb().equals("get")
                    && List.of(
                            "persistentvolumeclaims",
                            "persistentvolumes",
                            "storageclasses.storage.k8s.io",
                            "volumesnapshotclasses.snapshot.storage.k8s.io")
                        .contains(k.resource()))
        .isEmpty();
  }

  @Test
  void writesBoundThenCutThenReadyWithOneRequestEachUnderItsOwnUserAgent() {
    snapshotter.close();
    snapshotter = FakeSnapshotter.start(server.newClient("csi-writes"), CUT, READY);
    List<String> stages = new CopyOnWriteArrayList<>();
    try (var watch =
        client
            .resources(VolumeSnapshot.class)
            .inNamespace(ns)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, VolumeSnapshot s) {
                    String stage = stage(s);
                    if (stages.isEmpty() || !stages.get(stages.size() - 1).equals(stage)) {
                      stages.add(stage);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      create("ordered", pvc, Fixtures.SNAPSHOT_CLASS);

      await().atMost(PATIENCE).until(() -> stages.contains("ready"));
    }

    // as the operator sees it: the finalizer first, then bound, the cut, ready; each once
    assertThat(stages).containsExactly("new", "finalizer", "bound", "cut", "ready");
    Map<String, Long> writes = new TreeMap<>();
    server
        .requests()
        .snapshot()
        .forEach(
            (k, n) -> {
              if (k.client().equals("csi-writes")
                  && !k.verb().equals("list")
                  && !k.verb().equals("watch")) {
                writes.merge(k.verb() + " " + k.resource(), n, Long::sum);
              }
            });
    assertThat(writes)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "create volumesnapshotcontents.snapshot.storage.k8s.io", 1L,
                "update volumesnapshots.snapshot.storage.k8s.io", 1L,
                "patch volumesnapshots.snapshot.storage.k8s.io/status", 3L,
                "patch volumesnapshotcontents.snapshot.storage.k8s.io/status", 2L));
  }

  private static String stage(VolumeSnapshot s) {
    VolumeSnapshotStatus status = s.getStatus();
    if (status == null) {
      return s.hasFinalizer(FakeSnapshotter.BOUND_FINALIZER) ? "finalizer" : "new";
    }
    if (Boolean.TRUE.equals(status.getReadyToUse())) {
      return "ready";
    }
    return status.getCreationTime() != null
        ? "cut"
        : status.getBoundVolumeSnapshotContentName() != null ? "bound" : "other";
  }

  @Test
  void failsSnapshotsOfAPvcWithTheGivenError() {
    snapshotter.onPvc(ns, pvc, SnapshotBehaviour.fail("disk array offline"));

    create("doomed", pvc, null);
    create("fine", otherPvc, null);

    VolumeSnapshot failed = awaitStatus("doomed", s -> s.getError() != null);
    assertThat(failed.getStatus().getError().getMessage()).isEqualTo("disk array offline");
    assertThat(failed.getStatus().getError().getTime()).isNotBlank();
    assertThat(failed.getStatus().getReadyToUse()).isFalse();
    assertThat(failed.getStatus().getCreationTime()).isNull();
    assertThat(snapshotter.record(ns, "doomed").orElseThrow().error())
        .isEqualTo("disk array offline");
    awaitStatus("fine", s -> Boolean.TRUE.equals(s.getReadyToUse()));
  }

  @Test
  void neverCutsASnapshotToldSo() {
    snapshotter.onSnapshot(ns, "stuck", SnapshotBehaviour.neverCut());

    create("stuck", pvc, null);

    awaitStatus("stuck", s -> s.getBoundVolumeSnapshotContentName() != null);
    await()
        .during(CUT.multipliedBy(4))
        .atMost(PATIENCE)
        .until(() -> snapshot("stuck").get().getStatus().getCreationTime() == null);
    assertThat(snapshotter.record(ns, "stuck").orElseThrow().cut()).isEmpty();
  }

  @Test
  void cutsButNeverMakesReadyASnapshotToldSo() {
    snapshotter.onPvc(ns, pvc, SnapshotBehaviour.cutButNeverReady());

    create("half", pvc, null);

    awaitStatus("half", s -> s.getCreationTime() != null);
    await()
        .during(READY.multipliedBy(4))
        .atMost(PATIENCE)
        .until(() -> !Boolean.TRUE.equals(snapshot("half").get().getStatus().getReadyToUse()));
    assertThat(snapshotter.record(ns, "half").orElseThrow().ready()).isEmpty();
  }

  @Test
  void aSlowCutTakesItsTime() {
    Duration slow = Duration.ofMillis(1200);
    snapshotter.onPvc(ns, pvc, SnapshotBehaviour.slowCut(slow));

    create("slow", pvc, null);

    awaitStatus("slow", s -> s.getCreationTime() != null);
    SnapshotRecord record = snapshotter.record(ns, "slow").orElseThrow();
    assertThat(Duration.between(record.createdAt(), record.cutAt())).isGreaterThanOrEqualTo(slow);
  }

  @Test
  void theCutDelayCountsFromTheContentAndTheCutComesAfterTheBinding() {
    AtomicReference<VolumeSnapshot> atTheCut = new AtomicReference<>();
    snapshotter.onCut(s -> atTheCut.set(snapshot(s.getMetadata().getName()).get()));

    create("ordered", pvc, null);

    awaitStatus("ordered", s -> s.getCreationTime() != null);
    SnapshotRecord record = snapshotter.record(ns, "ordered").orElseThrow();
    assertThat(Duration.between(record.contentAt(), record.cutAt())).isGreaterThanOrEqualTo(CUT);
    // as a real cluster shows it: bound (finalizer, content name) first, then the cut's time
    assertThat(atTheCut.get().getStatus().getBoundVolumeSnapshotContentName())
        .isEqualTo("snapcontent-" + atTheCut.get().getMetadata().getUid());
    assertThat(atTheCut.get().getMetadata().getFinalizers())
        .contains(FakeSnapshotter.BOUND_FINALIZER);
    assertThat(atTheCut.get().getStatus().getCreationTime()).isNull();
  }

  @Test
  void aMissingPvcOrSnapshotClassIsAnError() {
    create("orphan", "no-such-claim", null);
    create("classless", pvc, "no-such-class");

    assertThat(awaitStatus("orphan", s -> s.getError() != null).getStatus().getError().getMessage())
        .contains("persistentvolumeclaim \"no-such-claim\" not found");
    assertThat(
            awaitStatus("classless", s -> s.getError() != null).getStatus().getError().getMessage())
        .contains("\"no-such-class\" not found");
  }

  @Test
  void deletingASnapshotDeletesItsContentAndReleasesIt() {
    create("gone", pvc, null);
    VolumeSnapshot ready = awaitStatus("gone", s -> Boolean.TRUE.equals(s.getReadyToUse()));
    String contentName = ready.getStatus().getBoundVolumeSnapshotContentName();

    snapshot("gone").delete();

    await().atMost(PATIENCE).until(() -> snapshot("gone").get() == null);
    assertThat(client.resources(VolumeSnapshotContent.class).withName(contentName).get()).isNull();
  }

  @Test
  void aClosedSnapshotterTakesNoMoreSnapshots() {
    snapshotter.close();

    create("after-close", pvc, null);

    await()
        .during(CUT.plus(READY).multipliedBy(2))
        .atMost(PATIENCE)
        .until(() -> snapshot("after-close").get().getStatus() == null);
    assertThat(snapshotter.record(ns, "after-close")).isEmpty();
  }

  private VolumeSnapshot create(String name, String claim, String snapshotClass) {
    VolumeSnapshot snapshot = new VolumeSnapshot();
    snapshot.getMetadata().setName(name);
    snapshot.getMetadata().setNamespace(ns);
    VolumeSnapshotSpec spec = new VolumeSnapshotSpec();
    VolumeSnapshotSource source = new VolumeSnapshotSource();
    source.setPersistentVolumeClaimName(claim);
    spec.setSource(source);
    spec.setVolumeSnapshotClassName(snapshotClass);
    snapshot.setSpec(spec);
    return client.resource(snapshot).create();
  }

  private Resource<VolumeSnapshot> snapshot(String name) {
    return client.resources(VolumeSnapshot.class).inNamespace(ns).withName(name);
  }

  private VolumeSnapshot awaitStatus(
      String name, java.util.function.Predicate<VolumeSnapshotStatus> condition) {
    return await()
        .atMost(PATIENCE)
        .until(
            () -> snapshot(name).get(),
            s -> s != null && Optional.ofNullable(s.getStatus()).filter(condition).isPresent());
  }
}
