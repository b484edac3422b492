package io.quiesce.sandbox;

import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.kubevirt.FakeKubeVirtApi;
import io.quiesce.testkit.kubevirt.QgaKubeVirtGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox's Kubernetes API: the in-JVM API server of the tests (fabric8's mock server in CRUD
 * mode with every CRD registered), NOT a real kube-apiserver. Prints its URL, writes it to {@code
 * <sandbox dir>/api-url} for the other processes and {@code <sandbox dir>/kubeconfig} for kubectl
 * and helm, and serves until killed.
 *
 * <p>With {@code --kubevirt}, it also serves KubeVirt's freeze subresources through the test kit's
 * FAKE of virt-api/virt-handler/virt-launcher ({@link FakeKubeVirtApi}), acting on each guest
 * through its REAL agent: VMI {@code sandbox/guest-<i>} is the i-th guest dir (the order {@link
 * SandboxSeed} names them in), polled for its freeze state at KubeVirt's default 5 s.
 *
 * <p>Usage: {@code SandboxApiServer <sandbox dir> [--kubevirt <guest dir>...]}
 */
public final class SandboxApiServer {

  private SandboxApiServer() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    boolean kubeVirt = args.length >= 2 && args[1].equals("--kubevirt");
    if (args.length < 1 || (args.length > 1 && !kubeVirt)) {
      System.err.println("usage: SandboxApiServer <sandbox dir> [--kubevirt <guest dir>...]");
      System.exit(2);
    }
    KubeApiServer server = KubeApiServer.start();
    if (kubeVirt) {
      for (int i = 2; i < args.length; i++) {
        String vmi = "guest-" + (i - 1);
        Path socket = Path.of(SandboxSeed.guestEnv(Path.of(args[i])).getProperty("QGA_SOCK"));
        server.kubeVirt().bind(Sandbox.NAMESPACE, vmi, new QgaKubeVirtGuest(socket));
        System.out.println(
            "FAKE KubeVirt subresources for VMI "
                + Sandbox.NAMESPACE
                + "/"
                + vmi
                + " act on the real agent at "
                + socket);
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "sandbox-api-shutdown"));
    String url = server.url("/");
    // for the real kubectl and helm: the same server over plain HTTP with streamed watches
    Path kubeconfig = server.writeKubeconfig(Path.of(args[0], "kubeconfig"), Sandbox.NAMESPACE);
    // written aside and moved, so that the script never reads half a URL
    Path partial = Path.of(args[0], "api-url.partial");
    Files.writeString(partial, url + "\n");
    Files.move(partial, partial.resolveSibling("api-url"), StandardCopyOption.ATOMIC_MOVE);
    System.out.println(
        "=== SANDBOX in-JVM Kubernetes API server (test kit's fabric8 mock, not a real cluster) ===");
    System.out.println(
        "listening at "
            + url
            + " (kubectl: "
            + server.kubectlUrl()
            + ", KUBECONFIG="
            + kubeconfig
            + ")");
    stopped.await();
  }
}
