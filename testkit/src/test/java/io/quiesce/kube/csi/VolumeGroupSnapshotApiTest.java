package io.quiesce.kube.csi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.testkit.kube.ClusterCrds;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import org.junit.jupiter.api.Test;

/** The served version of the group-snapshot API is found by discovery; none without the CRDs. */
class VolumeGroupSnapshotApiTest {

  @Test
  void aClusterWithoutTheCrdsServesNoVersion() {
    try (KubeApiServer server = KubeApiServer.start()) {
      assertThat(VolumeGroupSnapshotApi.servedVersion(server.client())).isEmpty();
    }
  }

  /** The common case, a cluster without them, costs one discovery request (it cost three). */
  @Test
  void aClusterWithoutTheCrdsIsToldByOneRequest() {
    try (KubeApiServer server = KubeApiServer.start()) {
      server.requests().reset();
      assertThat(VolumeGroupSnapshotApi.servedVersion(server.client())).isEmpty();
      assertThat(server.requests().total()).isEqualTo(1);
    }
  }

  @Test
  void theNewestServedVersionIsTaken() {
    try (KubeApiServer server = KubeApiServer.start()) {
      ClusterCrds.installGroupSnapshots(server.client(), "v1beta2", "v1", "v1beta1");

      assertThat(VolumeGroupSnapshotApi.servedVersion(server.client())).contains("v1");
    }
  }

  @Test
  void anOlderSnapshotterServingOnlyBetaVersionsGetsTheNewestOfThose() {
    try (KubeApiServer server = KubeApiServer.start()) {
      ClusterCrds.installGroupSnapshots(server.client(), "v1beta1");
      assertThat(VolumeGroupSnapshotApi.servedVersion(server.client())).contains("v1beta1");
    }
    try (KubeApiServer server = KubeApiServer.start()) {
      ClusterCrds.installGroupSnapshots(server.client(), "v1beta2", "v1beta1");
      assertThat(VolumeGroupSnapshotApi.servedVersion(server.client())).contains("v1beta2");
    }
  }

  @Test
  void classesAreReadInTheServedVersion() {
    try (KubeApiServer server = KubeApiServer.start()) {
      KubernetesClient client = server.client();
      ClusterCrds.installGroupSnapshots(client, "v1beta2");
      Fixtures.createDefaultGroupSnapshotClass(client, "v1beta2");

      assertThat(VolumeGroupSnapshotApi.listClasses(client, "v1beta2"))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getDriver()).isEqualTo(Fixtures.CSI_DRIVER);
                assertThat(c.isDefault()).isTrue();
                assertThat(c.getApiVersion()).isEqualTo("groupsnapshot.storage.k8s.io/v1beta2");
              });
    }
  }
}
