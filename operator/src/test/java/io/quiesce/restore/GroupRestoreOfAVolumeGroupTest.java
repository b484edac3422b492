package io.quiesce.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoredMember;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.naming.ChildNames;
import io.quiesce.snapshot.SnapshotTestAccess;
import io.quiesce.testkit.kube.ClusterCrds;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeGroupSnapshotter;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group snapshot whose disks were cut as one VolumeGroupSnapshot (the member VolumeSnapshots made
 * and named by the FAKE group-snapshot controller, mapped back to their VMs) restores like one cut
 * per volume: each member VM from the member snapshots of its own PVCs. Its own test class because
 * the group-snapshot API it installs changes what {@code Auto} does on the whole test server.
 */
@KubeApiTest
class GroupRestoreOfAVolumeGroupTest {
  private static final String VERSION = "v1";

  @Test
  void aGroupCutAsOneVolumeGroupSnapshotIsRestoredMemberByMember(
      KubeApiServer server, KubernetesClient client) {
    if (VolumeGroupSnapshotApi.servedVersion(client).isEmpty()) {
      ClusterCrds.installGroupSnapshots(client, VERSION, "v1beta2", "v1beta1");
      Fixtures.createDefaultGroupSnapshotClass(client, VERSION);
    }
    RestoreTestBed bed = new RestoreTestBed(server, client, "grp-vgs");
    for (String vm : List.of("app", "db")) {
      Fixtures.runningVm(bed.ns, vm).withPvcDisk("data", vm + "-data", "1Gi").create(client);
      server.kubeVirt().bind(bed.ns, vm, FakeGuestAgent.withOneDataDisk(), Duration.ofMillis(100));
    }
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeGroupSnapshotter groups =
            FakeGroupSnapshotter.start(
                server.newClient(), VERSION, Duration.ofMillis(300), Duration.ofMillis(200));
        FakeRestoreProvisioner provisioner =
            FakeRestoreProvisioner.start(server.newClient(), bed.ns);
        QuiesceTestOperator op = bed.startOperator()) {
      QuiescedSnapshot s = SnapshotTestAccess.stoppedVmSnapshot(bed.ns, "shop", null);
      s.getSpec().setSource(null);
      SnapshotSources sources = new SnapshotSources();
      sources.setVms(List.of("app", "db"));
      s.getSpec().setSources(sources);
      s.getSpec().getQuiesce().setMode(QuiesceMode.Required);
      s.getSpec().getQuiesce().setTimeout("15s");
      s.getSpec().setVolumeGroup(VolumeGroupMode.Required);
      client.resource(s).create();
      QuiescedSnapshot shop =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> bed.source("shop"),
                  x ->
                      x != null
                          && x.getStatus() != null
                          && (x.getStatus().getPhase() == SnapshotPhase.Succeeded
                              || x.getStatus().getPhase() == SnapshotPhase.Failed));
      assertThat(shop.getStatus().getPhase()).isEqualTo(SnapshotPhase.Succeeded);
      assertThat(shop.getStatus().getVolumeGroupSnapshot()).as("cut as one group").isNotNull();

      bed.newVm("copy", "shop", "copy", null);
      QuiescedSnapshotRestore done = bed.awaitPhase("copy", RestorePhase.Succeeded);

      assertThat(done.getStatus().getMembers())
          .extracting(RestoredMember::getVm, RestoredMember::getPhase)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("app", RestorePhase.Succeeded),
              org.assertj.core.groups.Tuple.tuple("db", RestorePhase.Succeeded));
      for (GroupMember m : shop.getStatus().getMembers()) {
        VolumeSnapshotRecord disk = m.getVolumeSnapshots().get(0);
        assertThat(disk.getVolumeSnapshotName())
            .as("%s's member VolumeSnapshot, named by the group controller", m.getVm())
            .isNotBlank();
        PersistentVolumeClaim pvc =
            client
                .persistentVolumeClaims()
                .inNamespace(bed.ns)
                .withName(ChildNames.restoredGroupClaim("copy", m.getVm(), "data"))
                .get();
        assertThat(pvc).as("%s's restored claim", m.getVm()).isNotNull();
        assertThat(pvc.getSpec().getDataSourceRef().getName())
            .as("%s is restored from the group's member snapshot of its own PVC", m.getVm())
            .isEqualTo(disk.getVolumeSnapshotName());
      }
    }
  }
}
