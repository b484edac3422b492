package io.quiesce.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.testkit.kube.ApiRequestCounter;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The operator's hot writes without fabric8's DSL, against the in-JVM API server. */
@KubeApiTest
class DirectWritesTest {

  @Test
  void aStatusMergePatchIsOneRequestAndReturnsTheStoredObject(KubeApiServer server) {
    String ns = server.createNamespace("direct");
    KubernetesClient client = server.newClient("direct-writes-test");
    QuiescedSnapshot stored = client.resource(snapshot(ns, "nightly")).create();
    DirectWrites writes = new DirectWrites(client);
    server.requests().reset();

    String url = writes.url(QuiescedSnapshot.class, ns, "nightly", "status");
    QuiescedSnapshot patched =
        writes.mergePatch(
            url,
            "{\"metadata\":{\"resourceVersion\":\""
                + stored.getMetadata().getResourceVersion()
                + "\"},\"status\":{\"phase\":\"Pending\",\"message\":\"waiting\"}}",
            QuiescedSnapshot.class);

    assertThat(url)
        .endsWith(
            "/apis/quiesce.io/v1alpha1/namespaces/" + ns + "/quiescedsnapshots/nightly/status");
    assertThat(patched.getStatus().getPhase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(patched.getMetadata().getResourceVersion())
        .isNotEqualTo(stored.getMetadata().getResourceVersion());
    assertThat(server.requests().snapshot())
        .containsExactly(
            Map.entry(
                new ApiRequestCounter.Key(
                    "direct-writes-test", "patch", "quiescedsnapshots.quiesce.io/status"),
                1L));
    assertThat(client.resource(patched).get().getStatus().getMessage()).isEqualTo("waiting");
  }

  @Test
  void aMergePatchsReplyIsReadByTheReaderGiven(KubeApiServer server) {
    String ns = server.createNamespace("direct");
    KubernetesClient client = server.client();
    QuiescedSnapshot stored = client.resource(snapshot(ns, "nightly")).create();
    DirectWrites writes = new DirectWrites(client);
    ObjectReader noMessage =
        new ObjectMapper()
            .addMixIn(QuiescedSnapshotStatus.class, NoMessage.class)
            .readerFor(QuiescedSnapshot.class);

    QuiescedSnapshot patched =
        writes.mergePatch(
            writes.url(QuiescedSnapshot.class, ns, "nightly", "status"),
            "{\"metadata\":{\"resourceVersion\":\""
                + stored.getMetadata().getResourceVersion()
                + "\"},\"status\":{\"phase\":\"Pending\",\"message\":\"waiting\"}}",
            noMessage);

    assertThat(patched.getStatus().getPhase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(patched.getStatus().getMessage()).isNull(); // skipped by the reader
    assertThat(
            client
                .resources(QuiescedSnapshot.class)
                .inNamespace(ns)
                .withName("nightly")
                .get()
                .getStatus()
                .getMessage())
        .isEqualTo("waiting");
  }

  @JsonIgnoreProperties("message")
  private abstract static class NoMessage {}

  @Test
  void refusalsAreKubernetesClientExceptionsWithTheApiServersCode(KubeApiServer server) {
    String ns = server.createNamespace("direct");
    KubernetesClient client = server.client();
    QuiescedSnapshot stored = client.resource(snapshot(ns, "nightly")).create();
    DirectWrites writes = new DirectWrites(client);
    String status = writes.url(QuiescedSnapshot.class, ns, "nightly", "status");
    client
        .resources(QuiescedSnapshot.class)
        .inNamespace(ns)
        .withName("nightly")
        .edit(
            s -> {
              s.getMetadata().setLabels(Map.of("moved", "on")); // the stored version moves on
              return s;
            });

    // a patch based on an older version (the SnapshotWriter's stale copy)
    assertRefusedWith(
        409,
        () ->
            writes.mergePatch(
                status,
                "{\"metadata\":{\"resourceVersion\":\""
                    + stored.getMetadata().getResourceVersion()
                    + "\"},\"status\":{\"phase\":\"Failed\"}}",
                QuiescedSnapshot.class));
    assertRefusedWith(
        404,
        () ->
            writes.mergePatch(
                writes.url(QuiescedSnapshot.class, ns, "gone", null),
                "{}",
                QuiescedSnapshot.class));
  }

  @Test
  void aCreateOfACoreKindGoesToItsCollectionAndASecondOneConflicts(KubeApiServer server) {
    String ns = server.createNamespace("direct");
    KubernetesClient client = server.client();
    DirectWrites writes = new DirectWrites(client);
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName("nightly.0123456789abcdef")
            .endMetadata()
            .withNewInvolvedObject()
            .withKind("QuiescedSnapshot")
            .withNamespace(ns)
            .withName("nightly")
            .endInvolvedObject()
            .withReason("Succeeded")
            .withMessage("done")
            .withType("Normal")
            .build();
    String events = writes.url(Event.class, ns, null, null);

    writes.create(events, event);

    assertThat(events).endsWith("/api/v1/namespaces/" + ns + "/events");
    assertThat(client.v1().events().inNamespace(ns).withName("nightly.0123456789abcdef").get())
        .extracting(Event::getMessage)
        .isEqualTo("done");
    assertRefusedWith(409, () -> writes.create(events, event));
  }

  @Test
  void anUpdateIsACompareAndSwapOnTheResourceVersionItCarries(KubeApiServer server) {
    String ns = server.createNamespace("direct");
    KubernetesClient client = server.client();
    DirectWrites writes = new DirectWrites(client);
    Lease created =
        client
            .leases()
            .inNamespace(ns)
            .resource(
                new LeaseBuilder()
                    .withNewMetadata()
                    .withNamespace(ns)
                    .withName("quiesce-slot-0")
                    .endMetadata()
                    .withNewSpec()
                    .endSpec()
                    .build())
            .create();

    Lease held =
        writes.update(
            new LeaseBuilder(created).editSpec().withHolderIdentity("uid-a").endSpec().build());

    assertThat(held.getSpec().getHolderIdentity()).isEqualTo("uid-a");
    assertThat(client.leases().inNamespace(ns).withName("quiesce-slot-0").get())
        .extracting(l -> l.getSpec().getHolderIdentity())
        .isEqualTo("uid-a");
    // a second swap from the first basis: someone else's write came between
    assertRefusedWith(
        409,
        () ->
            writes.update(
                new LeaseBuilder(created)
                    .editSpec()
                    .withHolderIdentity("uid-b")
                    .endSpec()
                    .build()));
  }

  private static QuiescedSnapshot snapshot(String ns, String name) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setNamespace(ns);
    s.getMetadata().setName(name);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("db-01");
    s.setSpec(spec);
    return s;
  }

  private static void assertRefusedWith(int code, ThrowingCallable write) {
    assertThatThrownBy(write)
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(code));
  }
}
