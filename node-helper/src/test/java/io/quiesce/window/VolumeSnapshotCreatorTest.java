package io.quiesce.window;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Creating the planned VolumeSnapshots: deterministic names, reuse of our own, refusal of another's. */
@KubeApiTest
class VolumeSnapshotCreatorTest {
    private static final ExecutorService IO = Executors.newFixedThreadPool(2);

    @AfterAll
    static void stop() {
        IO.shutdownNow();
    }

    @Test
    void createsEveryPlannedSnapshotAndReusesItsOwnOnASecondRun(KubeApiServer server, KubernetesClient client) {
        String ns = server.createNamespace("create");
        VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
        QuiescedSnapshot qsnap = AssignedSnapshots.assign(client, vm, "snap", QuiesceMode.Required, "5s", false);
        VolumeSnapshotCreator creator = new VolumeSnapshotCreator(client, IO);

        List<VolumeSnapshot> first = creator.createAll(qsnap);
        List<VolumeSnapshot> second = creator.createAll(qsnap);

        assertThat(first).extracting(v -> v.getMetadata().getName()).containsExactlyInAnyOrder("snap-pvcdisk1",
                "snap-datavolumedisk1");
        assertThat(first).allSatisfy(v -> assertThat(v.getSpec().getSource().getPersistentVolumeClaimName())
                .isIn(vm.claimNames()));
        assertThat(second).extracting(v -> v.getMetadata().getUid())
                .containsExactlyInAnyOrderElementsOf(first.stream().map(v -> v.getMetadata().getUid()).toList());
        assertThat(creator.existing(qsnap)).hasSize(2);
    }

    @Test
    void refusesAVolumeSnapshotOfTheSameNameOwnedByAnotherObject(KubeApiServer server, KubernetesClient client) {
        String ns = server.createNamespace("foreign");
        VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
        QuiescedSnapshot qsnap = AssignedSnapshots.assign(client, vm, "snap", QuiesceMode.Required, "5s", false);
        VolumeSnapshot foreign = PlannedVolumeSnapshots.of(qsnap).get(0);
        foreign.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("v1")
                .withKind("ConfigMap").withName("someone-else").withUid("0b7e9d3c-4f1a-4c55-9d0e-2f5b8a1c7e11")
                .withController(true).build()));
        client.resource(foreign).create();

        assertThatThrownBy(() -> new VolumeSnapshotCreator(client, IO).createAll(qsnap))
                .isInstanceOf(VolumeSnapshotCreator.VolumeSnapshotCreationException.class)
                .hasMessageContaining(foreign.getMetadata().getName()).hasMessageContaining("not owned");
    }
}
