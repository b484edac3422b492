package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The test API server's dispatcher served over plain HTTP/1.1 as kube-apiserver serves it to
 * kubectl and helm: requests are answered by the same {@link KubeApiDispatcher} (same store, same
 * rules), and a watch ({@code ?watch=true}) is a streamed response of newline-separated JSON
 * events, not the WebSocket that fabric8's mock server offers (which kubectl does not speak). Watch
 * events are turned into Tables when the client asks for them ({@code kubectl get -w}); with {@code
 * sendInitialEvents=true} the replay ends with the bookmark a real server sends.
 */
final class HttpEndpoint implements AutoCloseable {
  /** How long a watch stays open when the client names no {@code timeoutSeconds}. */
  private static final long DEFAULT_WATCH_SECONDS = 1800;

  private final KubeApiDispatcher dispatcher;
  private final HttpServer server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "kube-api-http");
            thread.setDaemon(true);
            return thread;
          });
  private final TableFormat tables = new TableFormat(Clock.systemUTC());

  HttpEndpoint(KubeApiDispatcher dispatcher) {
    this.dispatcher = dispatcher;
    try {
      this.server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** {@code http://127.0.0.1:<port>}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Headers.Builder headers = Headers.builder();
      exchange
          .getRequestHeaders()
          .forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
      String query = exchange.getRequestURI().getRawQuery();
      String path = exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
      RecordedRequest request =
          new RecordedRequest(
              "HTTP/1.1",
              HttpMethod.valueOf(exchange.getRequestMethod()),
              path,
              headers.build(),
              new Buffer(body));
      MockResponse response = (MockResponse) dispatcher.dispatch(request);
      if (response.getWebSocketListener() != null) {
        stream(exchange, request, response);
        return;
      }
      Map<String, List<String>> answerHeaders = response.getHeaders().toMultimap();
      answerHeaders.forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
      if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
      }
      byte[] answer = response.getBody() == null ? new byte[0] : response.getBody().readByteArray();
      exchange.sendResponseHeaders(response.code(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        exchange.getResponseBody().write(answer);
      }
    } catch (RuntimeException e) {
      byte[] message =
          ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500,"
                  + "\"message\":"
                  + JsonNodeFactory.instance.textNode(String.valueOf(e))
                  + "}")
              .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(500, message.length);
      exchange.getResponseBody().write(message);
    }
  }

  /**
   * A watch: events as a chunked stream until the client goes, the timeout passes or the server
   * stops.
   */
  private void stream(HttpExchange exchange, RecordedRequest request, MockResponse response)
      throws IOException {
    Optional<ResourcePath> path = ResourcePath.parse(request.getPath());
    boolean table = TableFormat.wanted(request.getHeader("Accept"));
    Optional<ApiResource> resource = path.flatMap(p -> dispatcher.catalog().find(p));
    boolean includeObject =
        path.flatMap(p -> p.queryParameter("includeObject")).filter("Object"::equals).isPresent();
    long timeout =
        path.flatMap(p -> p.queryParameter("timeoutSeconds"))
            .map(Long::parseLong)
            .orElse(DEFAULT_WATCH_SECONDS);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    CountDownLatch closed = new CountDownLatch(1);
    WebSocket sink =
        new WebSocket() {
          @Override
          public RecordedRequest request() {
            return request;
          }

          @Override
          public boolean send(String text) {
            return send(text.getBytes(StandardCharsets.UTF_8));
          }

          @Override
          public boolean send(byte[] event) {
            byte[] line =
                table && resource.isPresent()
                    ? asTable(event, resource.get(), includeObject)
                    : event;
            synchronized (out) {
              try {
                out.write(line);
                out.write('\n');
                out.flush();
                return true;
              } catch (IOException e) {
                closed.countDown(); // the client has gone
                return false;
              }
            }
          }

          @Override
          public boolean close(int code, String reason) {
            closed.countDown();
            return true;
          }
        };
    WebSocketListener listener = response.getWebSocketListener();
    listener.onOpen(sink, response);
    if (path.flatMap(p -> p.queryParameter("sendInitialEvents"))
        .filter("true"::equals)
        .isPresent()) {
      sink.send(initialEventsEnd(resource).getBytes(StandardCharsets.UTF_8));
    }
    try {
      closed.await(timeout, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      listener.onClosed(sink, 1000, "watch ended");
    }
  }

  private byte[] asTable(byte[] event, ApiResource resource, boolean includeObject) {
    try {
      ObjectNode parsed = RequestBodies.object(new String(event, StandardCharsets.UTF_8));
      JsonNode object = parsed.get("object");
      if (object != null && !"BOOKMARK".equals(parsed.path("type").asText())) {
        parsed.set("object", tables.table(resource, object, includeObject));
      }
      return parsed.toString().getBytes(StandardCharsets.UTF_8);
    } catch (ApiStatusException e) {
      return event;
    }
  }

  /** The bookmark that ends the replay of a watch that asked for initial events. */
  private static String initialEventsEnd(Optional<ApiResource> resource) {
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    resource.ifPresent(r -> object.put("kind", r.kind()).put("apiVersion", r.groupVersion()));
    ObjectNode metadata = object.putObject("metadata").put("resourceVersion", "0");
    metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
    return "{\"type\":\"BOOKMARK\",\"object\":" + object + "}";
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
