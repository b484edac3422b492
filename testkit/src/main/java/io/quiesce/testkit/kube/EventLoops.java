package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * More event loops for the test API server. fabric8's {@link MockWebServer} makes one Vert.x {@code
 * HttpServer} outside a verticle, so one event-loop thread reads, dispatches and answers every
 * request of every client. Here {@code n - 1} more servers listen on the same port in the same
 * Vert.x instance, each deployed as a verticle instance with an event loop of its own; Vert.x
 * spreads the accepted connections over them, and each request is answered by the same {@link
 * Dispatcher} (which serializes writes under one lock, registers watches under it and publishes
 * their events from it, so a write stays a compare-and-swap on the resourceVersion and each watch
 * sees the changes in the order they were stored, whichever loop took the request).
 *
 * <p>Requests on the added loops are not recorded in the mock server's request queue ({@code
 * takeRequest}); the test API server's own counter ({@code requests()}) sees them all.
 */
final class EventLoops {

  /** Event loops of a plain-HTTP test API server; 1 (the default) adds none. */
  static final String PROPERTY = "quiesce.testkit.kube.eventLoops";

  private EventLoops() {}

  /** The event loops asked for with {@link #PROPERTY}, at least 1. */
  static int wanted() {
    try {
      return Math.max(1, Integer.getInteger(PROPERTY, 1));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Starts {@code mock} on a free port of the loopback address, then {@code loops - 1} more servers
   * on that port answering with {@code dispatcher}; returns once they all listen.
   */
  static void start(
      KubernetesMockServer mock, MockWebServer server, Dispatcher dispatcher, int loops) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    // probed, then bound: another process may take the port in between (the start then fails)
    mock.init(loopback, freePort(loopback));
    add(server, dispatcher, loops);
  }

  private static int freePort(InetAddress address) {
    try (ServerSocket probe = new ServerSocket(0, 1, address)) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void add(MockWebServer server, Dispatcher dispatcher, int loops) {
    Vertx vertx = vertxOf(server);
    HttpServerOptions options =
        new HttpServerOptions()
            // as MockWebServer binds: the same host and port, so that Vert.x shares the socket
            .setHost(InetAddress.getLoopbackAddress().getHostAddress())
            .setPort(server.getPort())
            .setAlpnVersions(
                List.of(
                    io.vertx.core.http.HttpVersion.HTTP_2, io.vertx.core.http.HttpVersion.HTTP_1_1))
            .setWebSocketSubProtocols(
                List.of(
                    "v1.channel.k8s.io",
                    "v2.channel.k8s.io",
                    "v3.channel.k8s.io",
                    "v4.channel.k8s.io"))
            .setHandle100ContinueAutomatically(true)
            .setHttp2ClearTextEnabled(true);
    try {
      vertx
          .deployVerticle(
              () -> new Loop(options, dispatcher), new DeploymentOptions().setInstances(loops - 1))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while adding event loops", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot add event loops to the test API server", e);
    }
  }

  private static Vertx vertxOf(MockWebServer server) {
    try {
      Field field = MockWebServer.class.getDeclaredField("vertx");
      field.setAccessible(true);
      return (Vertx) field.get(server);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("fabric8's MockWebServer has no Vert.x instance any more", e);
    }
  }

  /** One more server on the shared port, on this verticle instance's event loop. */
  private static final class Loop extends AbstractVerticle {
    private final HttpServerOptions options;
    private final Dispatcher dispatcher;

    Loop(HttpServerOptions options, Dispatcher dispatcher) {
      this.options = options;
      this.dispatcher = dispatcher;
    }

    @Override
    public void start(Promise<Void> started) {
      vertx
          .createHttpServer(options)
          .requestHandler(
              new HttpServerRequestHandler(vertx) {
                @Override
                protected MockResponse onHttpRequest(RecordedRequest request) {
                  return dispatcher.dispatch(request);
                }
              })
          .listen()
          .<Void>mapEmpty()
          .onComplete(started);
    }
  }
}
