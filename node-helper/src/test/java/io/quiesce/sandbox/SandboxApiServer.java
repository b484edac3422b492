package io.quiesce.sandbox;

import io.quiesce.testkit.kube.KubeApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox's Kubernetes API: the in-JVM API server of the tests (fabric8's mock server in CRUD
 * mode with every CRD registered), NOT a real kube-apiserver. Prints its URL, writes it to
 * {@code <sandbox dir>/api-url} for the other processes, and serves until killed.
 *
 * <p>Usage: {@code SandboxApiServer <sandbox dir>}
 */
public final class SandboxApiServer {

    private SandboxApiServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: SandboxApiServer <sandbox dir>");
            System.exit(2);
        }
        KubeApiServer server = KubeApiServer.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "sandbox-api-shutdown"));
        String url = server.url("/");
        // written aside and moved, so that the script never reads half a URL
        Path partial = Path.of(args[0], "api-url.partial");
        Files.writeString(partial, url + "\n");
        Files.move(partial, partial.resolveSibling("api-url"), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("=== SANDBOX in-JVM Kubernetes API server (test kit's fabric8 mock, not a real cluster) ===");
        System.out.println("listening at " + url);
        stopped.await();
    }
}
