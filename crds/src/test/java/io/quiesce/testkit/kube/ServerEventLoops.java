package io.quiesce.testkit.kube;

import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;

/**
 * More event loops for the test API server. fabric8's mock server listens with one Vert.x
 * {@link HttpServer}, so one event-loop thread runs every request of every client (the dispatcher
 * works on that thread): with thousands of snapshots in flight, one slow request (a long list, a
 * write waiting for the store's lock) holds up every other. Vert.x shares a port between server
 * instances on different event loops and hands each new connection to the next one, so this adds
 * instances with the same handlers and options; the dispatcher and its stores are thread-safe.
 */
final class ServerEventLoops {
    /** Event loops of the test API server (the default of Vert.x: twice the processors, at least 2). */
    static final int DEFAULT = Integer.getInteger("quiesce.testkit.eventLoops",
            Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));

    private ServerEventLoops() {
    }

    /**
     * Makes the server listen on {@code loops} event loops (it has one): its server is closed and
     * as many instances with its handlers and options listen on its port instead (fabric8 listens
     * on a random port, which Vert.x does not share, so the first instance cannot stay).
     *
     * @return undoes it (the mock server closes only its own first instance)
     */
    static AutoCloseable spread(MockWebServer web, int loops) {
        if (loops <= 1) {
            return () -> { };
        }
        Vertx vertx = (Vertx) read(web, "vertx");
        HttpServer first = (HttpServer) read(web, "httpServer");
        HttpServerOptions options = new HttpServerOptions((HttpServerOptions) read(first, "options"));
        options.setPort(web.getPort());
        try {
            first.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            String deployment = vertx.deployVerticle(() -> new AbstractVerticle() {
                @Override
                public void start(Promise<Void> started) {
                    HttpServer more = vertx.createHttpServer(options).requestHandler(first.requestHandler());
                    if (first.webSocketHandler() != null) {
                        more.webSocketHandler(first.webSocketHandler());
                    }
                    more.listen().onComplete(r -> started.handle(r.mapEmpty()));
                }
            }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            return () -> vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not add event loops to the test API server", e);
        }
    }

    /** A private field of fabric8's or Vert.x's class (or of the object it wraps). */
    private static Object read(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look further up
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        for (String wrapped : new String[] {"delegate", "server"}) {
            for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
                try {
                    Field f = c.getDeclaredField(wrapped);
                    f.setAccessible(true);
                    return read(f.get(target), name);
                } catch (NoSuchFieldException e) {
                    // not this one
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException(target.getClass().getName() + " has no field " + name
                + " any more (fabric8's mock server or Vert.x changed)");
    }
}
