package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.csi.FakeSnapshotter;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import io.quiesce.testkit.kube.kubevirt.FakeGuestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kubevirt-api channel: with no live node helper on the VM's node, the operator freezes through
 * KubeVirt's subresources itself. In the first test the test API server only answers the two PUTs
 * (recorded expectations: a KubeVirt that accepts the freeze but lists no filesystem), so the
 * freeze is not confirmed; the fallback test uses the test kit's FAKE of KubeVirt, which reports
 * it.
 */
@KubeApiTest
class KubeVirtChannelTest {
  /** The first test waits out a whole 2 s window; on a loaded machine the rest takes the time. */
  private static final Duration WINDOW_TEST_WAIT = Duration.ofSeconds(60);

  @Test
  void freezesCutsAndUnfreezesThroughKubeVirtWhenNoHelperIsAlive(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("kv");
    Fixtures.runningVm(ns, "db").onNode("node-without-helper").create(client);
    String base =
        "/apis/subresources.kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/db/";
    server.mockServer().expect().put().withPath(base + "freeze").andReturn(200, "").always();
    server.mockServer().expect().put().withPath(base + "unfreeze").andReturn(200, "").always();
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      QuiescedSnapshot s = snapshot(ns, "s1", "db", QuiesceMode.Required, "30s");
      client.resource(s).create();

      QuiescedSnapshot done =
          awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WINDOW_TEST_WAIT);

      assertThat(done.getStatus().getFreeze().getMethod()).isEqualTo(FreezeMethod.KUBEVIRT_API);
      // KubeVirt accepted the freeze but lists no filesystem: thawed at the cut all the same, and
      // no filesystem consistency is claimed
      assertThat(done.getStatus().getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Cut);
      assertThat(done.getStatus().getFreeze().getReason()).isEqualTo("FilesystemListUnavailable");
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.CrashConsistent);
      assertThat(done.getStatus().getConsistencyReason()).isEqualTo("FilesystemListUnavailable");
      assertThat(done.getMetadata().getLabels())
          .doesNotContainKey(Provenance.NODE); // no helper involved
    }
    List<RecordedRequest> subresource = new ArrayList<>();
    List<String> order = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.mockServer().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      if (r.getPath().startsWith(base) && r.getMethod().equals("PUT")) {
        subresource.add(r);
        order.add(r.getPath().substring(base.length()));
      } else if (r.getMethod().equals("POST")
          && r.getPath().endsWith("/namespaces/" + ns + "/volumesnapshots")) {
        order.add("create-volumesnapshot");
      }
    }
    assertThat(order)
        .containsExactly("freeze", "create-volumesnapshot", "create-volumesnapshot", "unfreeze");
    assertThat(subresource).allSatisfy(req -> assertThat(req.getMethod()).isEqualTo("PUT"));
    assertThat(subresource.get(0).getBody().readUtf8()).isEqualTo("{\"unfreezeTimeout\":\"2s\"}");
    // the body has the shape of KubeVirt's own example (shared fixture), where it is available here
    Path upstream = Path.of("/work/shared/fixtures/kubevirt/freeze/freeze-request-body.json");
    if (Files.exists(upstream)) {
      assertThat(Files.readString(upstream).trim())
          .matches("\\{\"unfreezeTimeout\":\"[0-9hms.]+\"\\}");
    }
  }

  @Test
  void autoFallsBackToKubeVirtWhenTheHelperFindsNoAgentChannel(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("kv-fallback");
    Fixtures.runningVm(ns, "db").create(client);
    String base =
        "/apis/subresources.kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/db/";
    FakeGuestAgent guest = FakeGuestAgent.withOneDataDisk();
    server.kubeVirt().bind(ns, "db", guest, Duration.ofMillis(200));
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                FakeNodeHelper.Behaviour.NO_SOCKET,
                SnapshotTestSupport.OPERATOR_NAMESPACE,
                Fixtures.DEFAULT_NODE);
        QuiesceTestOperator op =
            startOperator(server, settings(10, 2, null), new SimpleMeterRegistry())) {
      client.resource(snapshot(ns, "s1", "db", QuiesceMode.Required, "30s")).create();

      QuiescedSnapshot done =
          awaitPhase(client, ns, "s1", SnapshotPhase.Succeeded, WINDOW_TEST_WAIT);

      assertThat(helper.channelsSeen()).containsExactly("auto");
      assertThat(done.getMetadata().getLabels())
          .containsEntry(QuiesceChannel.RESOLVED_LABEL, "auto");
      assertThat(done.getStatus().getFreeze().getMethod()).isEqualTo(FreezeMethod.KUBEVIRT_API);
      assertThat(done.getStatus().getFreeze().getReason()).isEqualTo("Frozen");
      assertThat(done.getStatus().getConsistency()).isEqualTo(Consistency.FilesystemConsistent);
      assertThat(done.getStatus().getFreeze().getFilesystemsFrozen())
          .as("KubeVirt's count")
          .isEqualTo(1);
      assertThat(done.getStatus().getFreeze().getError())
          .as("the helper's record was replaced whole")
          .isNull();
      assertThat(guest.frozen()).isFalse();
    }
    assertThat(subresourceCalls(server, ns))
        .containsExactly(base + "freeze", base + "filesystemlist", base + "unfreeze");
  }

  @Test
  void anExplicitLibvirtChannelFailsInsteadOfFallingBack(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("kv-explicit");
    Fixtures.runningVm(ns, "db").create(client);
    String base =
        "/apis/subresources.kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/db/";
    server.mockServer().expect().put().withPath(base + "freeze").andReturn(200, "").always();
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        FakeNodeHelper helper =
            FakeNodeHelper.start(
                server.newClient(),
                FakeNodeHelper.Behaviour.NO_SOCKET,
                SnapshotTestSupport.OPERATOR_NAMESPACE,
                Fixtures.DEFAULT_NODE);
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      QuiescedSnapshot s = snapshot(ns, "s1", "db", QuiesceMode.Required, "30s");
      s.getSpec().getQuiesce().setChannel(QuiesceChannel.LIBVIRT);
      client.resource(s).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Failed, WINDOW_TEST_WAIT);

      assertThat(helper.channelsSeen()).containsExactly("libvirt");
      assertThat(done.getStatus().getFreeze().getReason()).isEqualTo("LibvirtSocketNotFound");
      assertThat(done.getStatus().getFreeze().getMethod()).isNull();
    }
    assertThat(subresourceCalls(server, ns)).isEmpty();
  }

  @Test
  void hooksAreRefusedOnTheKubeVirtChannelBeforeAnyFreezeEvenUnderBestEffort(
      KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("kv-hooks");
    Fixtures.runningVm(ns, "db").onNode("node-without-helper").create(client);
    String base =
        "/apis/subresources.kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/db/";
    server.mockServer().expect().put().withPath(base + "freeze").andReturn(200, "").always();
    server.mockServer().expect().put().withPath(base + "unfreeze").andReturn(200, "").always();
    try (FakeSnapshotter csi = FakeSnapshotter.start(server.newClient());
        QuiesceTestOperator op =
            startOperator(
                server, settings(10, 2, QuiesceChannel.KUBEVIRT_API), new SimpleMeterRegistry())) {
      // the channel comes from the cluster default, which the schema cannot see
      QuiescedSnapshot s = snapshot(ns, "s1", "db", QuiesceMode.BestEffort, "30s");
      io.quiesce.api.v1alpha1.GuestHook flush = new io.quiesce.api.v1alpha1.GuestHook();
      flush.setCommand("/usr/local/bin/db-flush");
      io.quiesce.api.v1alpha1.SnapshotHooks hooks = new io.quiesce.api.v1alpha1.SnapshotHooks();
      hooks.setPreFreeze(List.of(flush));
      s.getSpec().setHooks(hooks);
      client.resource(s).create();

      QuiescedSnapshot done = awaitPhase(client, ns, "s1", SnapshotPhase.Failed, WINDOW_TEST_WAIT);

      assertThat(done.getStatus().getConditions())
          .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("HooksRefused"));
      assertThat(done.getStatus().getMessage()).contains("guest-exec").contains("kubevirt-api");
      assertThat(done.getStatus().getFreeze()).isNull();
    }
    assertThat(subresourceCalls(server, ns)).as("never frozen").isEmpty();
    assertThat(
            client
                .resources(io.quiesce.kube.csi.VolumeSnapshot.class)
                .inNamespace(ns)
                .list()
                .getItems())
        .as("nothing cut, no crash-consistent fallback")
        .isEmpty();
  }

  /**
   * The KubeVirt subresource paths called since the last look (the server's request log is
   * drained).
   */
  private static List<String> subresourceCalls(KubeApiServer server, String ns)
      throws InterruptedException {
    List<String> calls = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.mockServer().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      if (r.getPath().startsWith("/apis/subresources.kubevirt.io/v1/namespaces/" + ns + "/")) {
        calls.add(r.getPath());
      }
    }
    return calls;
  }
}
