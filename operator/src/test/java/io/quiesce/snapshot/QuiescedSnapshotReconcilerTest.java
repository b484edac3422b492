package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.events;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static io.quiesce.snapshot.SnapshotTestSupport.withPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.FakeNodeHelper.Behaviour;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.csi.SnapshotBehaviour;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's side of issue 4 end to end on the test API server: the real reconciler under
 * JOSDK, the fake CSI snapshotter and a fake node helper playing the contract.
 */
@KubeApiTest
class QuiescedSnapshotReconcilerTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void happyPathEndsSucceededAndFilesystemConsistent(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("happy");
    VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded);

      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("Frozen");
      assertThat(done.getStatus().getNodeName()).isEqualTo(Fixtures.DEFAULT_NODE);
      assertThat(done.getMetadata().getLabels())
          .containsEntry(Provenance.NODE, Fixtures.DEFAULT_NODE);
      assertThat(done.getMetadata().getFinalizers()).contains(QuiescedSnapshotReconciler.FINALIZER);
      assertThat(done.getStatus().getFreeze().getFilesystemsFrozen())
          .isEqualTo(2); // the helper's, untouched
      assertThat(done.getStatus().getStartTime()).isNotNull();
      assertThat(done.getStatus().getCompletionTime()).isNotNull();
      assertThat(done.getStatus().getVolumeSnapshots())
          .extracting(VolumeSnapshotRecord::getVolume)
          .containsExactlyInAnyOrder("pvcdisk1", "datavolumedisk1");
      assertThat(done.getStatus().getVolumeSnapshots())
          .allSatisfy(
              r -> {
                assertThat(r.getReadyToUse()).isTrue();
                assertThat(r.getCreationTime()).isNotNull();
                assertThat(r.getRestoreSize()).isNotNull();
                assertThat(r.getVolumeSnapshotClassName()).isEqualTo(Fixtures.SNAPSHOT_CLASS);
              });
      assertThat(Conditions.isTrue(done.getStatus().getConditions(), "Ready")).isTrue();
      assertThat(Conditions.find(done.getStatus().getConditions(), "Progressing"))
          .map(Condition::getStatus)
          .contains("False");
      VolumeSnapshot vs =
          client
              .resources(VolumeSnapshot.class)
              .inNamespace(ns)
              .withName(done.getStatus().getVolumeSnapshots().get(0).getVolumeSnapshotName())
              .get();
      assertThat(vs.getMetadata().getLabels())
          .containsEntry(Provenance.SNAPSHOT, "s1")
          .containsEntry(Provenance.VM, "db");
      assertThat(vs.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(done.getMetadata().getUid()));
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(events(client, ns, "s1"))
                      .extracting(Event::getReason)
                      .contains("Assigned", "Succeeded"));
      assertThat(
              registry
                  .get("quiesce.snapshots")
                  .tag("outcome", "FilesystemConsistent")
                  .counter()
                  .count())
          .isEqualTo(1.0);
      assertThat(vm.vm().getMetadata().getName()).isEqualTo("db");
    }
  }

  @Test
  void zeroFrozenFilesystemsIsOnlyCrashConsistent(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("zero");
    Fixtures.runningVm(ns, "db").create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                Behaviour.ZERO_FILESYSTEMS,
                OPERATOR_NAMESPACE,
                Fixtures.DEFAULT_NODE);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded);

      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("NoFilesystemsFrozen");
    }
  }

  @Test
  void stoppedVmIsSnapshottedAtOnceWithoutAFreeze(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("stopped");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded);

      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("VirtualMachineStopped");
      assertThat(done.getStatus().getFreeze()).isNull();
      assertThat(done.getMetadata().getLabels()).doesNotContainKey(Provenance.NODE);
      assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems())
          .hasSize(2);
    }
  }

  @Test
  void skipAndBestEffortWithoutAgentAreCrashConsistentRequiredFails(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("noagent");
    Fixtures.runningVm(ns, "noagent").agentDisconnected().create(client);
    Fixtures.runningVm(ns, "skipped").create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "skip", "skipped", QuiesceMode.Skip, "30s")).create();
      client.resource(snapshot(ns, "best", "noagent", QuiesceMode.BestEffort, "30s")).create();

      QuiescedSnapshot skip = awaitPhase(client, ns, "skip", SnapshotPhase.Succeeded);
      QuiescedSnapshot best = awaitPhase(client, ns, "best", SnapshotPhase.Succeeded);
      client.resource(snapshot(ns, "required", "noagent", QuiesceMode.Required, "30s")).create();
      QuiescedSnapshot required = awaitPhase(client, ns, "required", SnapshotPhase.Failed);

      assertThat(skip.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(skip.getStatus().getConsistencyReason()).isEqualTo("QuiesceSkipped");
      assertThat(best.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(best.getStatus().getConsistencyReason()).isEqualTo("AgentNotConnected");
      assertFailed(client, required, "AgentNotConnected");
    }
  }

  @Test
  void badInputFailsWithAClearReasonAndEvent(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("bad");
    Fixtures.runningVm(ns, "nopvc").withMissingPvc("nopvc-disk-alpine").create(client);
    Fixtures.runningVm(ns, "db").create(client);
    try (QuiesceTestOperator op =
        startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "unknown-vm", "ghost", QuiesceMode.Required, "30s")).create();
      client.resource(snapshot(ns, "missing-pvc", "nopvc", QuiesceMode.Required, "30s")).create();
      QuiescedSnapshot badVolume = snapshot(ns, "bad-volume", "db", QuiesceMode.Required, "30s");
      badVolume.getSpec().setVolumes(List.of("nosuchdisk"));
      client.resource(badVolume).create();
      QuiescedSnapshot badClass = snapshot(ns, "bad-class", "db", QuiesceMode.Required, "30s");
      badClass.getSpec().setVolumeSnapshotClassName("nosuchclass");
      client.resource(badClass).create();

      assertFailed(
          client, awaitPhase(client, ns, "unknown-vm", SnapshotPhase.Failed), "SourceNotFound");
      assertFailed(
          client,
          awaitPhase(client, ns, "missing-pvc", SnapshotPhase.Failed),
          "PersistentVolumeClaimNotFound");
      assertFailed(
          client, awaitPhase(client, ns, "bad-volume", SnapshotPhase.Failed), "VolumeNotFound");
      assertFailed(
          client,
          awaitPhase(client, ns, "bad-class", SnapshotPhase.Failed),
          "VolumeSnapshotClassNotFound");
    }
  }

  @Test
  void aConsistencyGroupIsRunByTheOperatorThroughKubeVirtNeverByTheNodeHelper(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("group");
    Fixtures.runningVm(ns, "app").create(client);
    Fixtures.runningVm(ns, "db").create(client);
    try (FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      QuiescedSnapshot group = snapshot(ns, "group", "db", QuiesceMode.Required, "30s");
      group.getSpec().setSource(null);
      SnapshotSources sources = new SnapshotSources();
      sources.setVms(List.of("app", "db"));
      group.getSpec().setSources(sources);
      client.resource(group).create();

      // no guest is bound to either VM in KubeVirt's fake: KubeVirt refuses both freezes
      QuiescedSnapshot failed = awaitPhase(client, ns, "group", SnapshotPhase.Failed);

      assertFailed(client, failed, "FreezeFailed");
      assertThat(failed.getStatus().getMessage()).contains("not frozen: VirtualMachineInstance");
      assertThat(failed.getStatus().getNodeName()).as("never assigned to a helper").isNull();
      assertThat(failed.getStatus().getFreeze()).as("a group's windows are its members'").isNull();
      assertThat(failed.getStatus().getMembers())
          .extracting(m -> m.getVm())
          .containsExactly("app", "db");
      assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems())
          .isEmpty();
      assertThat(failed.getStatus().getMembers())
          .as("each VM's own record says why it was not frozen")
          .allSatisfy(m -> assertThat(m.getFreeze().getReason()).isNotNull());
    }
  }

  @Test
  void noDefaultClassAndAmbiguousDefaultsFail(KubeApiServer server, KubernetesClient client) {
    // cluster-scoped classes: this test owns them for its duration and restores them after
    String ns = server.createNamespace("classes");
    Fixtures.runningVm(ns, "db").create(client);
    VolumeSnapshotClass original =
        client.resources(VolumeSnapshotClass.class).withName(Fixtures.SNAPSHOT_CLASS).get();
    try (QuiesceTestOperator op =
        startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      VolumeSnapshotClass second = Fixtures.defaultSnapshotClass();
      second.getMetadata().setName("second-default");
      client.resource(second).create();
      client.resource(snapshot(ns, "ambiguous", "db", QuiesceMode.Required, "30s")).create();
      assertFailed(
          client,
          awaitPhase(client, ns, "ambiguous", SnapshotPhase.Failed),
          "AmbiguousDefaultVolumeSnapshotClass");

      client.resources(VolumeSnapshotClass.class).withName("second-default").delete();
      client.resources(VolumeSnapshotClass.class).withName(Fixtures.SNAPSHOT_CLASS).delete();
      await().until(() -> client.resources(VolumeSnapshotClass.class).list().getItems().isEmpty());
      client.resource(snapshot(ns, "none", "db", QuiesceMode.Required, "30s")).create();
      assertFailed(
          client, awaitPhase(client, ns, "none", SnapshotPhase.Failed), "NoVolumeSnapshotClass");
    } finally {
      original.getMetadata().setResourceVersion(null);
      if (client.resources(VolumeSnapshotClass.class).withName(Fixtures.SNAPSHOT_CLASS).get()
          == null) {
        client.resource(original).create();
      }
    }
  }

  @Test
  void helperThatNeverAnswersFailsAtTheDeadlineNamingTheNode(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("silent");
    Fixtures.runningVm(ns, "db").onNode("node-silent").create(client);
    try (FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(), Behaviour.NEVER_ANSWERS, OPERATOR_NAMESPACE, "node-silent");
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      // 10s: the shortest failureDeadline the CRD allows
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "10s")).create();
      awaitPhase(client, ns, "s1", SnapshotPhase.InProgress);

      QuiescedSnapshot failed = awaitPhase(client, ns, "s1", SnapshotPhase.Failed);

      assertFailed(client, failed, "HelperNotResponding");
      assertThat(failed.getStatus().getMessage()).contains("node-silent");
    }
  }

  @Test
  void freezeFailedFailsRequired(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("freezefail");
    Fixtures.runningVm(ns, "db").create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                Behaviour.FREEZE_FAILED,
                OPERATOR_NAMESPACE,
                Fixtures.DEFAULT_NODE);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "req", "db", QuiesceMode.Required, "30s")).create();
      QuiescedSnapshot failed = awaitPhase(client, ns, "req", SnapshotPhase.Failed);
      assertFailed(client, failed, "FreezeFailed");
      assertThat(failed.getStatus().getMessage()).contains("fake agent refused");

      client.resource(snapshot(ns, "best", "db", QuiesceMode.BestEffort, "30s")).create();
      QuiescedSnapshot best = awaitPhase(client, ns, "best", SnapshotPhase.Succeeded);
      assertThat(best.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(best.getStatus().getConsistencyReason()).isEqualTo("FreezeFailed");
    }
  }

  @Test
  void volumeSnapshotErrorFailsTheSnapshot(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("vserror");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(server.newClient())
                .onPvc(ns, "db-disk-alpine", SnapshotBehaviour.fail("driver exploded"));
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();

      QuiescedSnapshot failed = awaitPhase(client, ns, "s1", SnapshotPhase.Failed);

      assertFailed(client, failed, "VolumeSnapshotFailed");
      assertThat(failed.getStatus().getMessage()).contains("driver exploded");
    }
  }

  @Test
  void aVmDeletedMidFlightIsNoticedAtOnce(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("vmgone");
    Fixtures.runningVm(ns, "db").create(client);
    try (FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                Behaviour.NEVER_ANSWERS,
                OPERATOR_NAMESPACE,
                Fixtures.DEFAULT_NODE);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "10m")).create();
      awaitPhase(client, ns, "s1", SnapshotPhase.InProgress);

      client.resources(VirtualMachine.class).inNamespace(ns).withName("db").delete();
      // nothing else changes and the next timed look is at the deadline (10 min): the deletion
      // itself (the VM informer's event) makes the operator look again
      QuiescedSnapshot failed =
          awaitPhase(client, ns, "s1", SnapshotPhase.Failed, Duration.ofSeconds(5));

      assertFailed(client, failed, "SourceNotFound");
    }
  }

  @Test
  void migratingVmWaitsThenProceedsOnTheNewNode(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("migrate");
    Fixtures.runningVm(ns, "db").migratingTo("node02").create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                Behaviour.FREEZE_OK,
                OPERATOR_NAMESPACE,
                Fixtures.DEFAULT_NODE,
                "node02");
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> progressingReason(client, ns, "s1"), "Migrating"::equals);

      client
          .resources(VirtualMachineInstance.class)
          .inNamespace(ns)
          .withName("db")
          .edit(
              vmi -> {
                vmi.getStatus().getMigrationState().setCompleted(true);
                vmi.getStatus()
                    .getMigrationState()
                    .setEndTimestamp(vmi.getStatus().getMigrationState().getStartTimestamp());
                vmi.getStatus().setNodeName("node02");
                return vmi;
              });

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded);
      assertThat(done.getStatus().getNodeName()).isEqualTo("node02");
    }
  }

  @Test
  void secondSnapshotOfTheSameVmWaitsItsTurn(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("turn");
    Fixtures.runningVm(ns, "db").create(client);
    try (FakeSnapshotter csi =
            FakeSnapshotter.start(
                server.newClient(), Duration.ofMillis(100), Duration.ofSeconds(2));
        FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client.resource(snapshot(ns, "first", "db", QuiesceMode.Required, "30s")).create();
      awaitPhase(client, ns, "first", SnapshotPhase.InProgress);
      client.resource(snapshot(ns, "second", "db", QuiesceMode.Required, "30s")).create();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> progressingReason(client, ns, "second"), "WaitingForOtherSnapshot"::equals);
      assertThat(
              client
                  .resources(QuiescedSnapshot.class)
                  .inNamespace(ns)
                  .withName("first")
                  .get()
                  .getStatus()
                  .getPhase())
          .isEqualTo(SnapshotPhase.InProgress);

      QuiescedSnapshot first = awaitPhase(client, ns, "first", SnapshotPhase.Succeeded);
      QuiescedSnapshot second = awaitPhase(client, ns, "second", SnapshotPhase.Succeeded);
      assertThat(java.time.Instant.parse(second.getStatus().getStartTime()))
          .isAfterOrEqualTo(java.time.Instant.parse(first.getStatus().getCompletionTime()));
      assertThat(helper.timesAVmWasFrozenTwice()).isZero();
    }
  }

  @Test
  void deletionDeletesOrRetainsTheVolumeSnapshots(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("deletion");
    Fixtures.runningVm(ns, "db").stopped().create(client);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
      client
          .resource(
              withPolicy(
                  snapshot(ns, "gone", "db", QuiesceMode.Required, "30s"), DeletionPolicy.Delete))
          .create();
      awaitPhase(client, ns, "gone", SnapshotPhase.Succeeded);
      client
          .resource(
              withPolicy(
                  snapshot(ns, "kept", "db", QuiesceMode.Required, "30s"), DeletionPolicy.Retain))
          .create();
      QuiescedSnapshot kept = awaitPhase(client, ns, "kept", SnapshotPhase.Succeeded);
      assertThat(labelled(client, ns, "gone")).hasSize(2);

      client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("gone").delete();
      client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("kept").delete();

      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  client
                      .resources(QuiescedSnapshot.class)
                      .inNamespace(ns)
                      .list()
                      .getItems()
                      .isEmpty());
      await().atMost(Duration.ofSeconds(15)).until(() -> labelled(client, ns, "gone").isEmpty());
      List<VolumeSnapshot> retained = labelled(client, ns, "kept");
      assertThat(retained)
          .hasSize(2)
          .allSatisfy(
              vs -> {
                assertThat(vs.isMarkedForDeletion()).isFalse();
                assertThat(vs.getMetadata().getOwnerReferences())
                    .noneMatch(ref -> ref.getUid().equals(kept.getMetadata().getUid()));
              });
    }
  }

  @Test
  void restartedOperatorResumesAndCreatesNothingTwice(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("restart");
    Fixtures.runningVm(ns, "db").create(client);
    try (FakeSnapshotter csi =
        FakeSnapshotter.start(server.newClient(), Duration.ofMillis(100), Duration.ofSeconds(3))) {
      try (QuiesceTestOperator first =
              startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry);
          FakeNodeHelper helper = FakeNodeHelper.freezingOnDefaultNode(server)) {
        client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    client
                        .resources(QuiescedSnapshot.class)
                        .inNamespace(ns)
                        .withName("s1")
                        .get()
                        .getStatus(),
                st -> st != null && st.getFreeze() != null);
      }
      // the first operator is gone mid-flight: frozen and cut, not yet ready
      QuiescedSnapshot mid =
          client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("s1").get();
      assertThat(mid.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);

      try (QuiesceTestOperator second =
          startOperator(server, settings(10, 2, QuiesceChannel.AUTO), registry)) {
        QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded);
        assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
        assertThat(done.getStatus().getStartTime()).isEqualTo(mid.getStatus().getStartTime());
      }
      assertThat(client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems())
          .hasSize(2);
      assertThat(csi.records()).filteredOn(r -> r.namespace().equals(ns)).hasSize(2);
    }
  }

  private static List<VolumeSnapshot> labelled(
      KubernetesClient client, String ns, String snapshot) {
    return client
        .resources(VolumeSnapshot.class)
        .inNamespace(ns)
        .withLabels(Map.of(Provenance.SNAPSHOT, snapshot))
        .list()
        .getItems();
  }

  private static String progressingReason(KubernetesClient client, String ns, String name) {
    QuiescedSnapshot s =
        client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get();
    return s == null || s.getStatus() == null
        ? null
        : Conditions.find(s.getStatus().getConditions(), "Progressing")
            .map(Condition::getReason)
            .orElse(null);
  }

  private static void assertFailed(KubernetesClient client, QuiescedSnapshot s, String reason) {
    assertThat(s.getStatus().getPhase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(Conditions.find(s.getStatus().getConditions(), "Failed"))
        .hasValueSatisfying(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(reason);
            });
    assertThat(Conditions.isTrue(s.getStatus().getConditions(), "Ready")).isFalse();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        events(client, s.getMetadata().getNamespace(), s.getMetadata().getName()))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo(reason);
                          assertThat(e.getType()).isEqualTo("Warning");
                        }));
  }
}
