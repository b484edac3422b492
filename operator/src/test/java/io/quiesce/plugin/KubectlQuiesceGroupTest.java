package io.quiesce.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.CommonWindow;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreStatus;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoredMember;
import io.quiesce.api.v1alpha1.RestoredVolume;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.KubeTools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl quiesce} on group snapshots, through the real kubectl against the test API server.
 * The operator is played by the test: it writes the group snapshot's and the restore's status as
 * the reconcilers would (a BestEffort group: app frozen, db left out because it was stopped).
 */
@KubeApiTest
class KubectlQuiesceGroupTest {
  private final KubeApiServer server;
  private final KubernetesClient client;
  private PluginRun kubectl;
  private String ns;

  KubectlQuiesceGroupTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @BeforeEach
  void setUp(@TempDir Path dir) throws IOException {
    kubectl = PluginRun.inNewNamespace(server, "plugin-group", dir);
    ns = kubectl.namespace();
  }

  private KubeTools.Result plugin(String... args) throws IOException {
    return kubectl.run(args);
  }

  @Test
  void describeAndStatusShowEveryMemberItsWindowItsVolumeSnapshotsAndTheCommonWindow()
      throws Exception {
    groupSnapshot("shop");

    KubeTools.Result describe = plugin("describe", "shop");
    System.out.print("[output] kubectl quiesce describe shop\n" + describe.stdout());
    assertThat(describe.exitCode()).as("%s", describe).isZero();
    assertThat(describe.stdout())
        .contains("created   of group of VMs app, db, web")
        .containsPattern("frozen\\s+app\n")
        .containsPattern("cut\\s+app/data -> volumesnapshot/shop--app-data\n")
        .containsPattern("thawed\\s+app by Cut after 150 ms frozen\n")
        .contains("  common window: 90 ms (")
        .contains("    app  frozen 150 ms (")
        .contains("      data -> volumesnapshot/shop--app-data (ready)")
        .contains("      root -> volumesnapshot/shop--app-root (ready)")
        .contains("    web  frozen 140 ms (")
        .contains("    db  not frozen (VirtualMachineStopped: VirtualMachine db has no instance");

    KubeTools.Result status = plugin("status");
    System.out.print("[output] kubectl quiesce status\n" + status.stdout());
    assertThat(status.exitCode()).as("%s", status).isZero();
    assertThat(status.stdout())
        .containsPattern("GROUP\\s+SNAPSHOT\\s+PHASE\\s+CONSISTENCY\\s+COMMON-MS\\s+AGE")
        .containsPattern("app,db,web\\s+shop\\s+Succeeded\\s+CrashConsistent\\s+90\\s");
    KubeTools.Result ofDb = plugin("status", "db");
    assertThat(ofDb.stdout()).as("a group is listed under each of its VMs").contains("shop");
  }

  @Test
  void restoreCreatesAGroupRestoreAndWaitPrintsEachMember() throws Exception {
    groupSnapshot("shop");
    CompletableFuture<KubeTools.Result> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return plugin(
                    "restore",
                    "shop",
                    "--to",
                    "copy",
                    "--members",
                    "app,web",
                    "--allow-crash-consistent",
                    "--wait",
                    "--timeout",
                    "150s");
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    QuiescedSnapshotRestore created =
        Awaitility.await()
            .atMost(150, TimeUnit.SECONDS)
            .until(
                () ->
                    client
                        .resources(QuiescedSnapshotRestore.class)
                        .inNamespace(ns)
                        .list()
                        .getItems(),
                l -> !l.isEmpty())
            .get(0);
    assertThat(created.getSpec().getSource()).isEqualTo("shop");
    assertThat(created.getSpec().getTarget().getNewVM().getName()).isEqualTo("copy");
    assertThat(created.getSpec().getMembers()).containsExactly("app", "web");
    assertThat(created.getSpec().getAllowCrashConsistent()).isTrue();
    kubectl.awaitWatchOf("quiescedsnapshotrestores", created.getMetadata().getName());

    QuiescedSnapshotRestoreStatus status = new QuiescedSnapshotRestoreStatus();
    status.setPhase(RestorePhase.Succeeded);
    status.setReason("Restored");
    status.setMembers(List.of(restored("app", "copy--app"), restored("web", "copy--web")));
    created.setStatus(status);
    client.resource(created).updateStatus();

    KubeTools.Result result = run.get(170, TimeUnit.SECONDS);
    System.out.print("[output] kubectl quiesce restore shop ...\n" + result.stdout());
    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.stdout())
        .contains("quiescedsnapshotrestore.quiesce.io/shop-restore-")
        .containsPattern("\\d\\d:\\d\\d:\\d\\d  Succeeded  \\(Restored\\)\n")
        .contains("app -> virtualmachine/copy--app  Succeeded  data -> pvc/pvc-app-data")
        .contains("web -> virtualmachine/copy--web  Succeeded  data -> pvc/pvc-web-data");
  }

  @Test
  void restoreUsageErrorsExitTwoAndCreateNothing() throws Exception {
    groupSnapshot("shop");
    QuiescedSnapshot single = new QuiescedSnapshot();
    single.getMetadata().setName("one");
    single.getMetadata().setNamespace(ns);
    single.setSpec(new QuiescedSnapshotSpec());
    single.getSpec().setSource("app");
    client.resource(single).create();

    KubeTools.Result noTarget = plugin("restore", "shop");
    assertThat(noTarget.exitCode()).isEqualTo(2);
    assertThat(noTarget.stderr()).startsWith("error: restore needs exactly one of --to NAME");

    KubeTools.Result membersOfOne = plugin("restore", "one", "--in-place", "--members", "app");
    assertThat(membersOfOne.exitCode()).isEqualTo(2);
    assertThat(membersOfOne.stderr()).contains("one is of one VM");

    KubeTools.Result missing = plugin("restore", "nope", "--to", "x");
    assertThat(missing.exitCode()).isEqualTo(4);
    assertThat(client.resources(QuiescedSnapshotRestore.class).inNamespace(ns).list().getItems())
        .isEmpty();
  }

  private static RestoredMember restored(String vm, String target) {
    RestoredMember m = new RestoredMember();
    m.setVm(vm);
    m.setTargetVM(target);
    m.setPhase(RestorePhase.Succeeded);
    RestoredVolume v = new RestoredVolume("data", "shop--" + vm + "-data", "pvc-" + vm + "-data");
    v.setReady(true);
    m.setVolumes(List.of(v));
    return m;
  }

  /** A BestEffort group of app, web and db as the operator records it: db was stopped. */
  private void groupSnapshot(String name) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setName(name);
    s.getMetadata().setNamespace(ns);
    s.setSpec(new QuiescedSnapshotSpec());
    s.getSpec().setSources(new SnapshotSources());
    s.getSpec().getSources().setVms(List.of("app", "db", "web"));
    QuiescedSnapshot live = client.resource(s).create();
    Instant t0 = Instant.parse(live.getMetadata().getCreationTimestamp()).plusSeconds(1);
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.Succeeded);
    st.setConsistency(Consistency.CrashConsistent);
    st.setConsistencyReason("GroupMemberNotFrozen");
    st.setStartTime(t0.toString());
    st.setCompletionTime(t0.plusSeconds(2).toString());
    GroupMember db = new GroupMember();
    db.setVm("db");
    db.setFrozen(false);
    FreezeRecord left = new FreezeRecord();
    left.setMethod(FreezeMethod.KUBEVIRT_API);
    left.setReason("VirtualMachineStopped");
    left.setError("VirtualMachine db has no instance; left out of the group (mode BestEffort)");
    db.setFreeze(left);
    st.setMembers(
        List.of(
            frozen("app", t0, 0, 150, List.of("data", "root")),
            db,
            frozen("web", t0, 60, 140, List.of("data"))));
    CommonWindow common = new CommonWindow();
    common.setStartTime(t0.plusMillis(60).toString());
    common.setEndTime(t0.plusMillis(150).toString());
    common.setDurationMs(90L);
    st.setCommonWindow(common);
    live.setStatus(st);
    client.resource(live).updateStatus();
  }

  private static GroupMember frozen(
      String vm, Instant t0, long startMs, long durationMs, List<String> volumes) {
    GroupMember m = new GroupMember();
    m.setVm(vm);
    m.setFrozen(true);
    FreezeRecord f = new FreezeRecord();
    f.setMethod(FreezeMethod.KUBEVIRT_API);
    f.setStartTime(t0.plusMillis(startMs).toString());
    f.setEndTime(t0.plusMillis(startMs + durationMs).toString());
    f.setDurationMs(durationMs);
    f.setThawedBy(ThawTrigger.Cut);
    m.setFreeze(f);
    m.setVolumeSnapshots(
        volumes.stream()
            .map(
                v -> {
                  VolumeSnapshotRecord r = new VolumeSnapshotRecord();
                  r.setVolume(v);
                  r.setPersistentVolumeClaim(vm + "-" + v);
                  r.setVolumeSnapshotName("shop--" + vm + "-" + v);
                  r.setCreationTime(t0.plusMillis(100).toString());
                  r.setReadyToUse(true);
                  return r;
                })
            .toList());
    return m;
  }
}
