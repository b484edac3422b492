package io.quiesce.helper;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kubernetes client's thread pools for the helper: unbounded as the client's own cached pools
 * (nothing waits for a thread), but an idle thread ends after {@link #KEEP_ALIVE}, not after the
 * minute of a cached pool. The helper is idle almost all the time; start-up's requests run side by
 * side and leave a dozen threads behind, each keeping its stack and malloc arena resident.
 */
final class ShortLivedThreads {
  static final Duration KEEP_ALIVE = Duration.ofSeconds(2);

  private ShortLivedThreads() {}

  /** A cached pool of daemon threads named {@code <prefix>-<n>} that end after being idle. */
  static ExecutorService pool(String prefix) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads =
        task -> {
          Thread thread = new Thread(task, prefix + "-" + n.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        KEEP_ALIVE.toMillis(),
        TimeUnit.MILLISECONDS,
        new SynchronousQueue<>(),
        threads);
  }

  /** fabric8's JDK HTTP client, its executor such a pool (its threads end by themselves). */
  static final class HttpClientFactory extends JdkHttpClientFactory {
    @Override
    protected HttpClient.Builder createNewHttpClientBuilder() {
      return HttpClient.newBuilder().executor(pool("quiesce-kube-http"));
    }
  }
}
