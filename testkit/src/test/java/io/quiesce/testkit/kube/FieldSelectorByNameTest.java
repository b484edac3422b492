package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lists and watches with {@code fieldSelector=metadata.name=...}, which the store answers from its
 * index by name (a fake helper waits for each of its VolumeSnapshots that way): the same answers as
 * a scan of the namespace, for equality and inequality alike.
 */
@KubeApiTest
class FieldSelectorByNameTest {

  private final KubeApiServer server;
  private final KubernetesClient client;
  private String ns;

  FieldSelectorByNameTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @BeforeEach
  void threeConfigMaps() {
    ns = server.createNamespace("fields");
    for (String name : new String[] {"a", "b", "c"}) {
      client
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withData(Map.of("v", "0"))
                  .build())
          .create();
    }
  }

  @Test
  void aListByNameHasThatObjectOnly() {
    assertThat(
            client.configMaps().inNamespace(ns).withField("metadata.name", "b").list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .containsExactly("b");
  }

  @Test
  void aListByAnotherNameHasTheOthers() {
    assertThat(
            client
                .configMaps()
                .inNamespace(ns)
                .withoutField("metadata.name", "b")
                .list()
                .getItems())
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("a", "c");
  }

  @Test
  void aWaitByNameSeesTheChangeOfThatObject() throws Exception {
    CompletableFuture<ConfigMap> changed =
        CompletableFuture.supplyAsync(
            () ->
                client
                    .configMaps()
                    .inNamespace(ns)
                    .withName("b")
                    .waitUntilCondition(
                        c -> c != null && "1".equals(c.getData().get("v")), 30, TimeUnit.SECONDS));
    // a change of another object first: it must not satisfy the wait of "b"
    client.configMaps().inNamespace(ns).withName("a").edit(c -> set(c, "1"));
    client.configMaps().inNamespace(ns).withName("b").edit(c -> set(c, "1"));

    ConfigMap seen = changed.get(60, TimeUnit.SECONDS);
    assertThat(seen.getMetadata().getName()).isEqualTo("b");
    assertThat(seen.getData()).containsEntry("v", "1");
  }

  private static ConfigMap set(ConfigMap c, String v) {
    c.setData(Map.of("v", v));
    return c;
  }
}
