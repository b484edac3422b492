package io.quiesce.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operator as {@code operator.jar run} assembles it: both reconcilers, health and metrics
 * endpoints.
 */
@KubeApiTest
class OperatorRuntimeTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(OperatorRuntime runtime, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.healthPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesProbesAndPrometheusMetrics(KubeApiServer server, KubernetesClient client)
      throws Exception {
    String ns = server.createNamespace("quiesce-system");
    OperatorSettings settings =
        new OperatorSettings(
            Set.of(),
            false,
            ns,
            "operator-0",
            10,
            2,
            QuiesceChannel.AUTO,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try (OperatorRuntime runtime = OperatorRuntime.start(settings, server.newClient())) {
      assertThat(get(runtime, "/healthz").statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(runtime, "/readyz").statusCode() == 200);
      HttpResponse<String> metrics = get(runtime, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("quiesce_snapshots_in_progress");
    }
  }
}
