package io.quiesce.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.TypedKinds;
import io.quiesce.kube.csi.VolumeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamedWatchEventsTest {
  private static final String SNAPSHOT =
      """
      {"apiVersion":"quiesce.io/v1alpha1","kind":"QuiescedSnapshot",
       "metadata":{"name":"s1","namespace":"ns","resourceVersion":"42","uid":"u1",
         "labels":{"quiesce.io/node":"n1"},"finalizers":["quiesce.io/snapshot-protection"]},
       "spec":{"source":"vm-1"},
       "status":{"phase":"InProgress","conditions":[{"type":"Frozen","status":"True",
         "reason":"Frozen","lastTransitionTime":"2026-12-07T01:00:00Z"}],
         "freeze":{"durationMs":480}}}""";

  private KubernetesSerialization fabric8;
  private StreamedWatchEvents streamed;

  @BeforeEach
  void kinds() {
    fabric8 = new KubernetesSerialization();
    TypedKinds.register(fabric8);
    streamed = new StreamedWatchEvents();
    TypedKinds.register(streamed);
  }

  @Test
  void anEventOfARegisteredKindIsReadInOnePassIntoTheSameObjectAsFabric8s() {
    String event = "{\"type\":\"MODIFIED\",\"object\":" + SNAPSHOT + "}";

    WatchEvent read = streamed.streamed(event);

    assertThat(read).isNotNull(); // the one-pass read, not fabric8's
    assertThat(read.getType()).isEqualTo("MODIFIED");
    assertThat(read.getObject()).isInstanceOf(QuiescedSnapshot.class);
    assertSameAsFabric8s(event);
  }

  @Test
  void aSnapshotsVmDefinitionIsSkippedAsTheInformersCacheDropsIt() {
    String event =
        "{\"type\":\"MODIFIED\",\"object\":"
            + SNAPSHOT.replace(
                "\"status\":{",
                "\"status\":{\"vmDefinition\":{\"spec\":{\"running\":true},\"sizeBytes\":20},")
            + "}";

    QuiescedSnapshot read =
        (QuiescedSnapshot) streamed.unmarshal(event, WatchEvent.class).getObject();
    QuiescedSnapshot fabric8s =
        (QuiescedSnapshot) fabric8.unmarshal(event, WatchEvent.class).getObject();

    assertThat(fabric8s.getStatus().getVmDefinition()).isNotNull();
    assertThat(read.getStatus().getVmDefinition()).isNull();
    fabric8s.getStatus().setVmDefinition(null); // as the informer's cache keeps it (CachedCopies)
    assertThat(streamed.asJson(read)).isEqualTo(streamed.asJson(fabric8s));
    // a GET (a restore reads the definition so) keeps it
    assertThat(
            streamed
                .unmarshal(
                    SNAPSHOT.replace(
                        "\"status\":{", "\"status\":{\"vmDefinition\":{\"sizeBytes\":20},"),
                    QuiescedSnapshot.class)
                .getStatus()
                .getVmDefinition())
        .isNotNull();
  }

  @Test
  void kindBeforeApiVersionAndTypeAfterObjectAreReadToo() {
    String event =
        """
        {"object":{"kind":"VolumeSnapshot","apiVersion":"snapshot.storage.k8s.io/v1",
          "metadata":{"name":"v","namespace":"ns"},"spec":{"source":{"persistentVolumeClaimName":"c"}},
          "status":{"readyToUse":true,"creationTime":"2026-12-07T01:00:00Z"}},"type":"ADDED"}""";

    assertThat(streamed.streamed(event)).isNotNull();
    assertThat(streamed.unmarshal(event, WatchEvent.class).getObject())
        .isInstanceOf(VolumeSnapshot.class);
    assertSameAsFabric8s(event);
  }

  @Test
  void builtInKindsAndAnErrorsStatusAreReadInOnePass() {
    String lease =
        """
        {"type":"MODIFIED","object":{"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
          "metadata":{"name":"quiesce-helper-n1","namespace":"q"},
          "spec":{"holderIdentity":"h","renewTime":"2026-12-07T01:00:00.000000Z"}}}""";
    String error =
        """
        {"type":"ERROR","object":{"apiVersion":"v1","kind":"Status","status":"Failure",
          "message":"too old resource version","reason":"Expired","code":410}}""";

    assertThat(streamed.streamed(lease).getObject()).isInstanceOf(Lease.class);
    assertThat(streamed.streamed(error).getObject()).isInstanceOf(Status.class);
    assertSameAsFabric8s(lease);
    assertSameAsFabric8s(error);
  }

  @Test
  void otherShapesAreLeftToFabric8AndReadAsItReadsThem() {
    String metadataFirst =
        "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"s1\"},"
            + "\"apiVersion\":\"quiesce.io/v1alpha1\",\"kind\":\"QuiescedSnapshot\"}}";
    String unregistered =
        "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"example.com/v1\",\"kind\":\"Thing\","
            + "\"metadata\":{\"name\":\"t\"},\"spec\":{\"x\":1}}}";
    String extraField = "{\"type\":\"ADDED\",\"extra\":1,\"object\":" + SNAPSHOT + "}";

    assertThat(streamed.streamed(metadataFirst)).isNull();
    assertThat(streamed.streamed(unregistered)).isNull();
    assertThat(streamed.streamed(extraField)).isNull();
    assertThat(streamed.streamed("{\"type\":\"ADDED\",\"object\":")).isNull();
    assertThat(streamed.unmarshal(metadataFirst, WatchEvent.class).getObject())
        .isInstanceOf(QuiescedSnapshot.class);
    assertThat(streamed.unmarshal(unregistered, WatchEvent.class).getObject())
        .isInstanceOf(GenericKubernetesResource.class);
    assertSameAsFabric8s(metadataFirst);
    assertSameAsFabric8s(unregistered);
  }

  private void assertSameAsFabric8s(String event) {
    WatchEvent ours = streamed.unmarshal(event, WatchEvent.class);
    WatchEvent theirs = fabric8.unmarshal(event, WatchEvent.class);
    assertThat(ours.getType()).isEqualTo(theirs.getType());
    assertThat(ours.getObject()).hasSameClassAs(theirs.getObject());
    assertThat(streamed.asJson(ours.getObject())).isEqualTo(fabric8.asJson(theirs.getObject()));
  }
}
