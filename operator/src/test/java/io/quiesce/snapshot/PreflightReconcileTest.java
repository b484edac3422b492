package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.events;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceCondition;
import io.quiesce.kube.kubevirt.VolumeStatus;
import io.quiesce.status.Reason;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's preflight end to end on the test API server (real reconciler, fake snapshotter,
 * FAKE node helper): a volume hot-plugged into the running instance only is snapshotted with the
 * others, and a paused instance is never handed to a freeze.
 */
@KubeApiTest
class PreflightReconcileTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void aVolumeHotPluggedIntoTheInstanceOnlyIsInTheSnapshot(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("hotplug");
    VmScenario built =
        Fixtures.runningVm(ns, "db")
            .withPvcDisk("rootdisk", "root-claim", "2Gi")
            .withPvcDisk("hotdisk", "hot-claim", "1Gi")
            .build();
    // virtctl addvolume without --persist: on the instance (hotpluggable, attached by a hotplug
    // pod), not the VM
    built
        .vm()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getVolumes()
        .removeIf(v -> v.getName().equals("hotdisk"));
    VirtualMachineInstance vmi = built.vmi().orElseThrow();
    vmi.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("hotdisk"))
        .forEach(v -> v.getPersistentVolumeClaim().setHotpluggable(true));
    for (VolumeStatus status : vmi.getStatus().getVolumeStatus()) {
      if (status.getName().equals("hotdisk")) {
        status.setAdditionalProperty(
            "hotplugVolume",
            Map.of(
                "attachPodName",
                "hp-volume-x7k2q",
                "attachPodUID",
                "0d9e1c0e-5b1b-4a39-9a55-1f0c8c1f7a11"));
        status.setPhase("Ready");
      }
    }
    built.create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded);

      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getVolumeSnapshots())
          .extracting(VolumeSnapshotRecord::getVolume)
          .containsExactlyInAnyOrder("rootdisk", "hotdisk");
      assertThat(done.getStatus().getVolumeSnapshots())
          .filteredOn(r -> r.getVolume().equals("hotdisk"))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.getHotplugged()).isTrue();
                assertThat(r.getPersistentVolumeClaim()).isEqualTo("hot-claim");
              });
      assertThat(done.getStatus().getExcludedVolumes()).isNull();
      assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems())
          .extracting(v -> v.getSpec().getSource().getPersistentVolumeClaimName())
          .contains("hot-claim");
      assertThat(events(client, ns, "s1"))
          .extracting(Event::getReason)
          .contains(Reason.HOTPLUGGED_VOLUMES_INCLUDED.wire());
    }
  }

  @Test
  void aPausedInstanceIsSnapshottedUnfrozenUnderBestEffortAndFailsRequired(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("paused");
    VmScenario built = Fixtures.runningVm(ns, "db").build();
    built
        .vmi()
        .orElseThrow()
        .getStatus()
        .getConditions()
        .add(new VirtualMachineInstanceCondition(VirtualMachineInstanceCondition.PAUSED, "True"));
    built.create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "best", "db", QuiesceMode.BestEffort, "30s")).create();
      QuiescedSnapshot best = awaitPhase(client, ns, "best", SnapshotPhase.Succeeded);
      client.resource(snapshot(ns, "required", "db", QuiesceMode.Required, "30s")).create();
      QuiescedSnapshot required = awaitPhase(client, ns, "required", SnapshotPhase.Failed);

      assertThat(best.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(best.getStatus().getConsistencyReason())
          .isEqualTo(Reason.VIRTUAL_MACHINE_PAUSED.wire());
      assertThat(best.getStatus().getFreeze()).as("never handed to a freeze").isNull();
      assertThat(required.getStatus().getMessage()).contains("paused", "virtctl unpause");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(events(client, ns, "best"))
                    .filteredOn(e -> "Warning".equals(e.getType()))
                    .extracting(Event::getReason)
                    .contains(Reason.VIRTUAL_MACHINE_PAUSED.wire());
                assertThat(events(client, ns, "required"))
                    .extracting(Event::getReason)
                    .contains(Reason.VIRTUAL_MACHINE_PAUSED.wire());
              });
    }
  }
}
