package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watches of the test API server: events, selectors, and closing without stalling the server. */
@KubeApiTest
class WatchTest {

  private final KubeApiServer server;
  private final KubernetesClient client;
  private String ns;

  WatchTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @BeforeEach
  void newNamespace() {
    ns = server.createNamespace("watch");
  }

  @Test
  void aWatchSeesCreationChangesAndTheDeletionAfterTheLastFinalizer() {
    Recorder events = new Recorder();
    try (Watch watch = client.configMaps().inNamespace(ns).watch(events)) {
      client
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("cm")
                  .withNamespace(ns)
                  .withFinalizers("test.io/hold")
                  .endMetadata()
                  .build())
          .create();
      client.configMaps().inNamespace(ns).withName("cm").delete();
      client
          .configMaps()
          .inNamespace(ns)
          .withName("cm")
          .edit(
              c -> {
                c.getMetadata().setFinalizers(List.of());
                return c;
              });

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(events.types()).containsExactly("ADDED", "MODIFIED", "DELETED"));
      assertThat(events.events.get(1).object().getMetadata().getDeletionTimestamp()).isNotBlank();
    }
  }

  @Test
  void setBasedSelectorsFilterWatchesToo() {
    Recorder events = new Recorder();
    try (Watch watch =
        client.configMaps().inNamespace(ns).withLabelIn("tier", "gold", "silver").watch(events)) {
      for (String tier : List.of("gold", "bronze", "silver")) {
        client
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(tier)
                    .withNamespace(ns)
                    .withLabels(Map.of("tier", tier))
                    .endMetadata()
                    .build())
            .create();
      }

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(events.names()).containsExactly("gold", "silver"));
    }
  }

  @Test
  void aLabelChangeMovesAnObjectOutOfAndBackIntoALabelSelectedWatch() {
    Recorder events = new Recorder();
    try (Watch watch =
        client.configMaps().inNamespace(ns).withLabel("tier", "gold").watch(events)) {
      ConfigMap created =
          client
              .resource(
                  new ConfigMapBuilder()
                      .withNewMetadata()
                      .withName("moving")
                      .withNamespace(ns)
                      .withLabels(Map.of("tier", "gold"))
                      .endMetadata()
                      .build())
              .create();
      for (String patch :
          List.of(
              "{\"metadata\":{\"labels\":{\"tier\":\"bronze\"}}}",
              "{\"data\":{\"k\":\"unseen\"}}",
              "{\"metadata\":{\"labels\":{\"tier\":\"gold\"}}}",
              "{\"data\":{\"k\":\"seen\"}}")) {
        client
            .configMaps()
            .inNamespace(ns)
            .withName(created.getMetadata().getName())
            .patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                patch);
      }

      // the old state's labels decide DELETED (it matched before) and ADDED (it did not)
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events.types())
                      .containsExactly("ADDED", "DELETED", "ADDED", "MODIFIED"));
      // as kube-apiserver's watch cache: DELETED carries the previous state, at the new version
      assertThat(events.events.get(1).object().getMetadata().getLabels())
          .containsEntry("tier", "gold");
      assertThat(events.events.get(3).object().getData()).containsEntry("k", "seen");
    }
  }

  @Test
  void closingAWatchWithEventsStillQueuedKeepsTheServerResponsive() {
    for (int i = 0; i < 100; i++) {
      client.resource(configMap("cm-" + i)).create();
    }

    // a new watch replays every existing object; closing it at once leaves those sends queued,
    // which stalls fabric8's own mock for 30 s per watch
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          for (int round = 0; round < 5; round++) {
            try (KubernetesClient watching = server.newClient()) {
              watching.configMaps().inNamespace(ns).watch(new Recorder()).close();
            }
            client.resource(configMap("after-" + round)).create();
          }
        });
    assertThat(client.configMaps().inNamespace(ns).list().getItems()).hasSize(105);
  }

  private ConfigMap configMap(String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .build();
  }

  private record Event(String type, ConfigMap object) {}

  private static final class Recorder implements Watcher<ConfigMap> {
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void eventReceived(Action action, ConfigMap resource) {
      events.add(new Event(action.name(), resource));
    }

    @Override
    public void onClose(WatcherException cause) {
      // closed by the test
    }

    List<String> types() {
      return events.stream().map(Event::type).toList();
    }

    List<String> names() {
      return events.stream().map(e -> e.object().getMetadata().getName()).toList();
    }
  }
}
