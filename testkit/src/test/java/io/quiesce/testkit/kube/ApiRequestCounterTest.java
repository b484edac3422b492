package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

@KubeApiTest
class ApiRequestCounterTest {

  @Test
  void countsByClientVerbAndResource(KubeApiServer server) {
    String ns = server.createNamespace("count");
    KubernetesClient bench = server.newClient("bench-client");
    server.requests().reset();
    bench
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("a")
                .withNamespace(ns)
                .endMetadata()
                .build())
        .create();
    bench.configMaps().inNamespace(ns).withName("a").get();
    bench.configMaps().inNamespace(ns).withName("a").get();
    bench.configMaps().inNamespace(ns).list();

    assertThat(server.requests().snapshot())
        .containsEntry(new ApiRequestCounter.Key("bench-client", "create", "configmaps"), 1L)
        .containsEntry(new ApiRequestCounter.Key("bench-client", "get", "configmaps"), 2L)
        .containsEntry(new ApiRequestCounter.Key("bench-client", "list", "configmaps"), 1L);
    assertThat(server.requests().total()).isEqualTo(4);
  }

  @Test
  void namesVerbsAsTheApiServerDoes() {
    assertThat(
            ApiRequestCounter.key(
                "GET", "/apis/quiesce.io/v1alpha1/namespaces/a/quiescedsnapshots?watch=true", null))
        .isEqualTo(new ApiRequestCounter.Key("-", "watch", "quiescedsnapshots.quiesce.io"));
    assertThat(
            ApiRequestCounter.key(
                "PATCH", "/apis/quiesce.io/v1alpha1/namespaces/a/quiescedsnapshots/s/status", "op"))
        .isEqualTo(new ApiRequestCounter.Key("op", "patch", "quiescedsnapshots.quiesce.io/status"));
    assertThat(ApiRequestCounter.key("GET", "/version", "op"))
        .isEqualTo(new ApiRequestCounter.Key("op", "get", "discovery /version"));
    assertThat(ApiRequestCounter.key("GET", "/apis/groupsnapshot.storage.k8s.io/v1?x=y", "op"))
        .isEqualTo(
            new ApiRequestCounter.Key(
                "op", "get", "discovery /apis/groupsnapshot.storage.k8s.io/v1"));
  }
}
