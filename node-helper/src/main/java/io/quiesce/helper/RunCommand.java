package io.quiesce.helper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import io.quiesce.runtime.HealthServer;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.NodeHelper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run}: serves this node until SIGTERM. Configured by the environment the chart sets ({@link
 * HelperSettings#fromEnv}); the Kubernetes client finds its credentials as usual (in-cluster
 * service account). Start-up order: health endpoints and the shutdown hook, then the thaws of the
 * freeze journal (no API), then what needs the API, retried while the API server is down. On
 * SIGTERM every open freeze window ends and its guest is thawed before exit.
 */
final class RunCommand {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  private RunCommand() {}

  /** Blocks until the JVM shuts down; returns only on a start-up failure (the exit code). */
  static int run(Map<String, String> env) {
    HelperSettings settings;
    try {
      settings = HelperSettings.fromEnv(env);
    } catch (IllegalArgumentException e) {
      System.err.println("node-helper run: " + e.getMessage());
      return ExitCode.USAGE.code();
    }
    LOG.info(
        "node helper starting on node {} (freeze journal {})",
        settings.nodeName(),
        settings.journalDir());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics()
        .bindTo(registry); // heap and non-heap use, for dashboards and footprint figures
    // threads that end seconds after start-up's burst of requests, not a minute later
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withHttpClientFactory(new ShortLivedThreads.HttpClientFactory())
            .withTaskExecutorSupplier(() -> ShortLivedThreads.pool("quiesce-kube-task"))
            .build();
    NodeHelper helper;
    try {
      // no API call here: the engine and the freeze journal only
      helper =
          NodeHelper.create(
              client,
              settings,
              (guest, socket) -> new QgaClient(socket, QgaSettings.defaults()),
              registry);
    } catch (UncheckedIOException e) {
      client.close();
      System.err.println("node-helper run: " + e.getMessage());
      return ExitCode.INTERNAL_ERROR.code();
    }
    // /healthz and the shutdown hook before any thaw: a probe must not kill a helper in the middle
    // of its recovery, and SIGTERM during recovery still thaws what this process holds
    HealthServer health = null;
    if (settings.healthAddress() != null) {
      try {
        health = HealthServer.start(settings.healthAddress(), helper::ready, registry::scrape);
      } catch (IOException e) {
        helper.close();
        System.err.println(
            "node-helper run: cannot listen on "
                + settings.healthAddress()
                + ": "
                + e.getMessage());
        return ExitCode.INTERNAL_ERROR.code();
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    HealthServer server = health;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("stopping: ending freeze windows and thawing");
                  helper.close();
                  if (server != null) {
                    server.close();
                  }
                  client.close();
                  stopped.countDown();
                },
                "quiesce-helper-shutdown"));
    // first what needs no API: the guests this helper's journal says it froze
    helper.recoverFromJournal();
    // then what does, retried with backoff while the API server is unreachable (never an exit)
    if (helper.startServing()) {
      LOG.info(
          "node helper serving node {} (recovery: {})",
          settings.nodeName(),
          helper.recovery().guests().size());
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitCode.OK.code();
  }
}
