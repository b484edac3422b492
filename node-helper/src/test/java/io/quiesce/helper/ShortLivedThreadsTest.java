package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShortLivedThreadsTest {

  @Test
  void tasksRunSideBySideAndTheIdleThreadsEnd() throws Exception {
    ExecutorService pool = ShortLivedThreads.pool("test-short-lived");
    try {
      int tasks = 4;
      CountDownLatch allRunning = new CountDownLatch(tasks);
      CountDownLatch release = new CountDownLatch(1);
      for (int i = 0; i < tasks; i++) {
        pool.execute(
            () -> {
              allRunning.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
      assertThat(allRunning.await(30, TimeUnit.SECONDS))
          .as("no task waits for another's thread")
          .isTrue();
      assertThat(((ThreadPoolExecutor) pool).getPoolSize()).isEqualTo(tasks);
      release.countDown();
      await("idle threads end")
          .atMost(ShortLivedThreads.KEEP_ALIVE.plus(Duration.ofSeconds(20)))
          .until(() -> ((ThreadPoolExecutor) pool).getPoolSize() == 0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theKubernetesClientsHttpClientRunsOnSuchAPool() {
    HttpClient client =
        new ShortLivedThreads.HttpClientFactory().createNewHttpClientBuilder().build();
    assertThat(client.executor())
        .get()
        .isInstanceOfSatisfying(
            ThreadPoolExecutor.class,
            pool -> {
              assertThat(pool.getCorePoolSize()).isZero();
              assertThat(pool.getKeepAliveTime(TimeUnit.MILLISECONDS))
                  .isEqualTo(ShortLivedThreads.KEEP_ALIVE.toMillis());
            });
  }
}
