package io.quiesce.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(HealthServer server, String path, String method)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesProbesAndMetrics() throws Exception {
    AtomicBoolean ready = new AtomicBoolean(false);
    try (HealthServer server =
        HealthServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            ready::get,
            () -> "quiesce_up 1\n")) {
      assertThat(get(server, "/healthz", "GET").statusCode()).isEqualTo(200);
      assertThat(get(server, "/readyz", "GET").statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(server, "/readyz", "GET").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(server, "/metrics", "GET");
      assertThat(metrics.body()).isEqualTo("quiesce_up 1\n");
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(get(server, "/other", "GET").statusCode()).isEqualTo(404);
      assertThat(get(server, "/metrics", "POST").statusCode()).isEqualTo(405);
    }
  }
}
