package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Watches from a resourceVersion, as informers send them after their list: the changes after that
 * version from the server's history, in order and once, or 410 Expired when it is older than the
 * history.
 */
@KubeApiTest
class WatchFromVersionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final KubeApiServer server;
  private final KubernetesClient client;
  private String ns;

  WatchFromVersionTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @BeforeEach
  void newNamespace() {
    ns = server.createNamespace("from-version");
  }

  @AfterEach
  void defaultHistory() {
    server.dispatcher().watchHistory(WatchStreams.HISTORY);
  }

  @Test
  void changesBetweenTheListAndTheWatchAreSentOnceInOrderAndNothingBefore() {
    client.resource(configMap(ns, "before")).create();
    String listed = client.configMaps().inNamespace(ns).list().getMetadata().getResourceVersion();
    client.resource(configMap(ns, "a")).create();
    client
        .configMaps()
        .inNamespace(ns)
        .withName("a")
        .edit(
            c -> {
              c.setData(Map.of("k", "v"));
              return c;
            });
    client.configMaps().inNamespace(ns).withName("a").delete();

    Recorder events = new Recorder();
    try (Watch watch =
        client
            .configMaps()
            .inNamespace(ns)
            .watch(new ListOptionsBuilder().withResourceVersion(listed).build(), events)) {
      client.resource(configMap(ns, "b")).create();

      // b comes after every change owed to the watch: once it is there, nothing is missing
      await().atMost(WAIT).untilAsserted(() -> assertThat(events.names()).contains("ADDED b"));
      assertThat(events.names()).containsExactly("ADDED a", "MODIFIED a", "DELETED a", "ADDED b");
      List<Long> versions = events.versions();
      assertThat(versions).isSorted().doesNotHaveDuplicates();
      assertThat(versions.get(0)).isGreaterThan(Long.parseLong(listed));
    }
  }

  @Test
  void aWatchWithoutAVersionStillStartsWithEveryObject() {
    client.resource(configMap(ns, "there")).create();
    Recorder events = new Recorder();
    try (Watch watch = client.configMaps().inNamespace(ns).watch(events)) {
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(events.names()).containsExactly("ADDED there"));
    }
  }

  @Test
  void aWatchFromAVersionOlderThanTheHistoryIsExpired() {
    server.dispatcher().watchHistory(3);
    String listed = client.configMaps().inNamespace(ns).list().getMetadata().getResourceVersion();
    for (int i = 0; i < 5; i++) {
      client.resource(configMap(ns, "cm-" + i)).create();
    }

    Recorder events = new Recorder();
    try (Watch watch =
        client
            .configMaps()
            .inNamespace(ns)
            .watch(new ListOptionsBuilder().withResourceVersion(listed).build(), events)) {
      await().atMost(WAIT).until(events.closed::isDone);
      WatcherException closed = events.closed.join();
      assertThat(closed).isNotNull();
      assertThat(closed.isHttpGone()).as("410 Gone: %s", closed).isTrue();
      assertThat(events.names()).isEmpty();
    }
  }

  @Test
  void anInformerWatchesAgainFromItsVersionAndListsAgainWhenItIsExpired() {
    String agent = "informer-" + ns;
    String elsewhere = server.createNamespace("from-version-other");
    ApiRequestCounter.Key lists = new ApiRequestCounter.Key(agent, "list", "configmaps");
    ApiRequestCounter.Key watches = new ApiRequestCounter.Key(agent, "watch", "configmaps");
    try (KubernetesClient informing = server.newClient(agent);
        SharedIndexInformer<ConfigMap> informer = informing.configMaps().inNamespace(ns).inform()) {
      client.resource(configMap(ns, "first")).create();
      await().atMost(WAIT).until(() -> informer.getStore().getByKey(ns + "/first") != null);

      // a watch ended (the server's watch timeout) with its version still in the history:
      // watched again from it, no list
      server.dispatcher().endWatches();
      await().atMost(WAIT).until(() -> count(watches) == 2);
      client.resource(configMap(ns, "second")).create();
      await().atMost(WAIT).until(() -> informer.getStore().getByKey(ns + "/second") != null);
      assertThat(count(lists)).isEqualTo(1);

      // changes the informer does not see push its version out of the history: 410, list again
      server.dispatcher().watchHistory(3);
      for (int i = 0; i < 5; i++) {
        client.resource(configMap(elsewhere, "cm-" + i)).create();
      }
      server.dispatcher().endWatches();
      client.resource(configMap(ns, "third")).create();
      await().atMost(WAIT).until(() -> count(lists) == 2);
      await().atMost(WAIT).until(() -> informer.getStore().getByKey(ns + "/third") != null);
      assertThat(informer.getStore().listKeys())
          .containsExactlyInAnyOrder(ns + "/first", ns + "/second", ns + "/third");
    }
  }

  private long count(ApiRequestCounter.Key key) {
    return server.requests().snapshot().getOrDefault(key, 0L);
  }

  private static ConfigMap configMap(String namespace, String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .build();
  }

  private record Event(String type, ConfigMap object) {}

  private static final class Recorder implements Watcher<ConfigMap> {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<WatcherException> closed = new CompletableFuture<>();

    @Override
    public void eventReceived(Action action, ConfigMap resource) {
      events.add(new Event(action.name(), resource));
    }

    @Override
    public void onClose(WatcherException cause) {
      closed.complete(cause);
    }

    @Override
    public void onClose() {
      closed.complete(null);
    }

    List<String> names() {
      return events.stream().map(e -> e.type() + " " + e.object().getMetadata().getName()).toList();
    }

    List<Long> versions() {
      return events.stream()
          .map(e -> Long.parseLong(e.object().getMetadata().getResourceVersion()))
          .toList();
    }
  }
}
