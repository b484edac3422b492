package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.OPERATOR_NAMESPACE;
import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import io.quiesce.testkit.kube.kubevirt.KubeVirtGuestBackend.Filesystem;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator's {@code kubevirt-api} window against the test kit's FAKE of KubeVirt's subresources
 * with a FAKE guest agent: what KubeVirt reports decides the consistency, the window is capped by
 * the freeze maximum, and a window lost to an operator restart ends thawed and recorded.
 */
@KubeApiTest
class KubeVirtWindowTest {
  /** KubeVirt reports the freeze state at this pace here (its default is 5 s). */
  private static final Duration FAST_POLL = Duration.ofMillis(200);

  /**
   * A status poll that never comes round again after the first: KubeVirt never reports the freeze.
   */
  private static final Duration NEVER = Duration.ofHours(1);

  /** Each test waits out a window of a few seconds; on a loaded machine the rest takes the time. */
  private static final Duration WINDOW_TEST_WAIT = Duration.ofSeconds(60);

  private static SnapshotSettings settings(Duration freezeTimeoutMax) {
    return new SnapshotSettings(
        10,
        2,
        QuiesceChannel.AUTO,
        OPERATOR_NAMESPACE,
        SnapshotSettings.DEFAULT_HELPER_STALE_AFTER,
        Duration.ofMillis(200),
        Clock.systemUTC(),
        freezeTimeoutMax);
  }

  private static QuiescedSnapshot kubeVirtApi(String ns, String name, String timeout) {
    QuiescedSnapshot s = snapshot(ns, name, "db", QuiesceMode.Required, "1m");
    s.getSpec().getQuiesce().setChannel(QuiesceChannel.KUBEVIRT_API);
    s.getSpec().getQuiesce().setTimeout(timeout);
    return s;
  }

  @Test
  void aFreezeKubeVirtReportsIsFilesystemConsistentWithKubeVirtsCount(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kvw-ok");
    Fixtures.runningVm(ns, "db").create(client);
    FakeGuestAgent guest =
        new FakeGuestAgent(
            List.of(new Filesystem("vda1", "/", "ext4"), new Filesystem("vdb", "/data", "xfs")));
    server.kubeVirt().bind(ns, "db", guest, FAST_POLL);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, settings(Duration.ofSeconds(30)), new SimpleMeterRegistry())) {
      client.resource(kubeVirtApi(ns, "s1", "5s")).create();

      QuiescedSnapshot done =
          awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WINDOW_TEST_WAIT);

      FreezeRecord freeze = done.getStatus().getFreeze();
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(freeze.getMethod()).isEqualTo(FreezeMethod.KUBEVIRT_API);
      assertThat(freeze.getFilesystemsFrozen()).isEqualTo(2);
      assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Cut);
      assertThat(guest.freezes()).isEqualTo(1);
      assertThat(guest.frozen()).isFalse();
    }
  }

  @Test
  void aFreezeKubeVirtHasNotReportedYetIsThawedAtTheCutAndConfirmedByItsReply(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kvw-unreported");
    Fixtures.runningVm(ns, "db").create(client);
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "db", guest, NEVER);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, settings(Duration.ofSeconds(30)), new SimpleMeterRegistry())) {
      client.resource(kubeVirtApi(ns, "s1", "20s")).create();

      QuiescedSnapshot done =
          awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WINDOW_TEST_WAIT);

      FreezeRecord freeze = done.getStatus().getFreeze();
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(freeze.getConfirmedBy()).isEqualTo("KubeVirtFreezeReply");
      assertThat(freeze.getFilesystemsFrozen()).isEqualTo(1);
      assertThat(freeze.getThawedBy())
          .as("thawed at the cut, not held open for KubeVirt's status poll")
          .isEqualTo(ThawTrigger.Cut);
      assertThat(freeze.getDurationMs()).isLessThan(20_000L);
      assertThat(guest.frozen()).isFalse();
    }
  }

  @Test
  void aFreezeWhoseVmiCouldNotBeReadBeforeIsCrashConsistent(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kvw-noread");
    Fixtures.runningVm(ns, "db").create(client);
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "db", guest, NEVER);
    KubeVirtFreezeApi api = new HttpKubeVirtFreezeApi(client, Duration.ofSeconds(5));
    KubeVirtFreezeWindow window =
        new KubeVirtFreezeWindow(
            client, api, new VolumeSnapshots(client), Clock.systemUTC(), Duration.ofSeconds(30));
    // the VMI cannot be read (as when the operator may not get it): the freeze's success proves
    // nothing
    server
        .mockServer()
        .expect()
        .get()
        .withPath("/apis/kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/db")
        .andReturn(403, "forbidden")
        .always();
    QuiescedSnapshot s = client.resource(kubeVirtApi(ns, "s1", "20s")).create();
    try {
      FreezeRecord freeze = window.run(s, List.of()); // no disk: the cut is immediate

      assertThat(freeze.getReason()).isEqualTo("FreezeNotConfirmed");
      assertThat(freeze.getConfirmedBy()).isNull();
      assertThat(freeze.getThawedBy()).isEqualTo(ThawTrigger.Cut);
      assertThat(guest.frozen()).isFalse();
    } catch (VolumeSnapshots.ConflictException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anEmptyFilesystemListIsCrashConsistent(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kvw-empty");
    Fixtures.runningVm(ns, "db").create(client);
    server.kubeVirt().bind(ns, "db", new FakeGuestAgent(List.of()), FAST_POLL);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, settings(Duration.ofSeconds(30)), new SimpleMeterRegistry())) {
      client.resource(kubeVirtApi(ns, "s1", "5s")).create();

      QuiescedSnapshot done =
          awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WINDOW_TEST_WAIT);

      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("NoFilesystemsListed");
    }
  }

  @Test
  void failingFilesystemListsAreCrashConsistent(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kvw-nolist");
    Fixtures.runningVm(ns, "db").create(client);
    String base =
        "/apis/subresources.kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/db/";
    server
        .mockServer()
        .expect()
        .get()
        .withPath(base + "filesystemlist")
        .andReturn(500, "virt-handler down")
        .always();
    server
        .mockServer()
        .expect()
        .get()
        .withPath(base + "guestosinfo")
        .andReturn(500, "virt-handler down")
        .always();
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "db", guest, FAST_POLL);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(server, settings(Duration.ofSeconds(30)), new SimpleMeterRegistry())) {
      client.resource(kubeVirtApi(ns, "s1", "5s")).create();

      QuiescedSnapshot done =
          awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WINDOW_TEST_WAIT);

      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("FilesystemListUnavailable");
      assertThat(done.getStatus().getFreeze().getError()).contains("500");
      assertThat(guest.frozen()).isFalse();
    }
  }

  @Test
  void theFreezeMaximumCapsUnfreezeTimeoutAndTheWindow(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kvw-cap");
    Fixtures.runningVm(ns, "db").create(client);
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "db", guest, NEVER);
    // no snapshotter: nothing is ever cut, so the window lasts until its end
    try (QuiesceTestOperator op =
        startOperator(server, settings(Duration.ofSeconds(2)), new SimpleMeterRegistry())) {
      client.resource(kubeVirtApi(ns, "s1", "20s")).create(); // the CRD allows 30 s at most

      QuiescedSnapshot done =
          await()
              .atMost(WINDOW_TEST_WAIT)
              .until(
                  () ->
                      client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("s1").get(),
                  s ->
                      s.getStatus() != null
                          && s.getStatus().getFreeze() != null
                          && s.getStatus().getFreeze().getMethod() == FreezeMethod.KUBEVIRT_API);

      assertThat(done.getStatus().getFreeze().getDurationMs())
          .as("the window ends at the 2 s maximum, not at 20 s")
          .isBetween(1500L, 10_000L);
      assertThat(done.getStatus().getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Watchdog);
      assertThat(guest.frozen()).isFalse();
    }
    assertThat(server.kubeVirt().freezeBodies())
        .filteredOn(b -> b.startsWith(ns + "/"))
        .containsExactly(ns + "/db {\"unfreezeTimeout\":\"2s\"}");
  }

  @Test
  void aWindowLostToAnOperatorRestartIsUnfrozenAndRecordedInterrupted(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("kvw-restart");
    Fixtures.runningVm(ns, "db").create(client);
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "db", guest, NEVER);
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient())) {
      QuiesceTestOperator first =
          startOperator(server, settings(Duration.ofSeconds(30)), new SimpleMeterRegistry());
      try {
        client.resource(kubeVirtApi(ns, "s1", "20s")).create();
        await("frozen through KubeVirt").atMost(Duration.ofSeconds(10)).until(guest::frozen);
      } finally {
        first.close(); // the window's thread is stopped with it
      }
      try (QuiesceTestOperator second =
          startOperator(server, settings(Duration.ofSeconds(30)), new SimpleMeterRegistry())) {
        QuiescedSnapshot failed =
            awaitPhase(client, ns, "s1", SnapshotPhase.Failed, WINDOW_TEST_WAIT);

        assertThat(failed.getStatus().getFreeze().getReason())
            .isEqualTo("KubeVirtWindowInterrupted");
        assertThat(failed.getStatus().getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Recovery);
        assertThat(guest.frozen()).isFalse();
        assertThat(guest.freezes()).as("no second freeze").isEqualTo(1);
        assertThat(server.kubeVirt().calls()).contains("PUT unfreeze " + ns + "/db 200");
      }
    }
  }
}
