package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The test API server with more than one event loop ({@link EventLoops}): requests of different
 * connections are answered on different loops, and writes stay compare-and-swap on the
 * resourceVersion, with every watch seeing each change once and in order.
 */
class EventLoopsTest {

  private static final int CLIENTS = 4;
  private static final int INCREMENTS = 25;

  private KubeApiServer server;

  @BeforeEach
  void start() {
    System.setProperty(EventLoops.PROPERTY, "3");
    try {
      server = KubeApiServer.start();
    } finally {
      System.clearProperty(EventLoops.PROPERTY);
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void connectionsAreAnsweredOnMoreThanOneEventLoop() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    server
        .dispatcher()
        .serveKubeVirtSubresources(
            request -> {
              threads.add(Thread.currentThread().getName());
              return new MockResponse().setResponseCode(200).setBody("{}");
            });
    for (int i = 0; i < CLIENTS; i++) {
      KubernetesClient client = server.newClient("client-" + i);
      client.raw(
          server.url(
              "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/guestosinfo"));
    }
    assertThat(threads).hasSizeGreaterThan(1).allMatch(name -> name.startsWith("vert.x-eventloop"));
  }

  @Test
  void concurrentUpdatesFromConnectionsOnDifferentLoopsAreEachAppliedOnceAndWatchedInOrder()
      throws Exception {
    String ns = server.createNamespace("loops");
    KubernetesClient admin = server.client();
    admin
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("counter")
                .withNamespace(ns)
                .endMetadata()
                .withData(Map.of("n", "0"))
                .build())
        .create();
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Watch watch =
        admin
            .configMaps()
            .inNamespace(ns)
            .withName("counter")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, ConfigMap cm) {
                    seen.add(cm.getData().get("n"));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      // the watch's replay ("0") seen: it is registered, so it gets every change from here on
      await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<Integer>> conflicts = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          KubernetesClient client = server.newClient("writer-" + c);
          conflicts.add(pool.submit(() -> increment(client, ns)));
        }
        for (Future<Integer> f : conflicts) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      int total = CLIENTS * INCREMENTS;
      assertThat(admin.configMaps().inNamespace(ns).withName("counter").get().getData())
          .containsEntry("n", Integer.toString(total));
      List<String> expected = new ArrayList<>();
      for (int i = 0; i <= total; i++) {
        expected.add(Integer.toString(i));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= expected.size());
      assertThat(seen).containsExactlyElementsOf(expected);
    }
  }

  /** INCREMENTS read-modify-writes with the resourceVersion as precondition; returns the 409s. */
  private static int increment(KubernetesClient client, String ns) {
    int conflicts = 0;
    for (int done = 0; done < INCREMENTS; ) {
      ConfigMap current = client.configMaps().inNamespace(ns).withName("counter").get();
      int n = Integer.parseInt(current.getData().get("n"));
      current.setData(Map.of("n", Integer.toString(n + 1)));
      try {
        client.resource(current).update();
        done++;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        conflicts++;
      }
    }
    return conflicts;
  }
}
