package io.quiesce.plugin;

import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * {@code kubectl quiesce ARGS} through the real kubectl: kubectl finds the repository's launcher on
 * the PATH (a link in {@code dir/bin}); the launcher runs this build's classes. An instance runs it
 * in a fresh namespace of the test API server, with a kubeconfig for it.
 */
final class PluginRun {
  private final KubeApiServer server;
  private final Path dir;
  private final Path kubeconfig;
  private final String namespace;

  private PluginRun(KubeApiServer server, Path dir, String namespace) throws IOException {
    this.server = server;
    this.dir = dir;
    this.namespace = namespace;
    this.kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"), namespace);
  }

  /** A fresh namespace named after {@code prefix}, kubectl's files under {@code dir}. */
  static PluginRun inNewNamespace(KubeApiServer server, String prefix, Path dir)
      throws IOException {
    return new PluginRun(server, dir, server.createNamespace(prefix));
  }

  String namespace() {
    return namespace;
  }

  /** {@code kubectl quiesce ARGS} in this namespace. */
  KubeTools.Result run(String... args) throws IOException {
    return kubectlQuiesce(dir, kubeconfig, args);
  }

  /**
   * Waits until the plugin's watch on the named object of {@code resource} (plural) is registered
   * at the server: changes made after it are seen by the watch, not only by a replay (a watch
   * request counted may still be opening).
   */
  void awaitWatchOf(String resource, String name) {
    Awaitility.await("the plugin's watch of " + resource + "/" + name + ", registered")
        .atMost(150, TimeUnit.SECONDS)
        .until(
            () ->
                server.registeredWatches().stream()
                    .anyMatch(p -> p.contains("/" + resource) && p.contains(name)));
  }

  private static KubeTools.Result kubectlQuiesce(Path dir, Path kubeconfig, String... args)
      throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path launcher = bin.resolve("kubectl-quiesce");
    if (!Files.exists(launcher)) {
      Files.createSymbolicLink(launcher, launcherInRepository());
    }
    String[] command = new String[args.length + 2];
    command[0] = KubeTools.kubectl().toString();
    command[1] = "quiesce";
    System.arraycopy(args, 0, command, 2, args.length);
    return KubeTools.run(
        kubeconfig,
        Map.of(
            "PATH",
            bin + ":" + System.getenv("PATH"),
            "QUIESCE_PLUGIN_CLASSPATH",
            System.getProperty("java.class.path")),
        null,
        command);
  }

  /**
   * The repository's plugin/kubectl-quiesce: under surefire's QUIESCE_PROJECT_ROOT, else above the
   * working dir.
   */
  private static Path launcherInRepository() {
    String root = System.getenv("QUIESCE_PROJECT_ROOT");
    if (root != null && Files.isRegularFile(Path.of(root, "plugin/kubectl-quiesce"))) {
      return Path.of(root, "plugin/kubectl-quiesce");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("plugin/kubectl-quiesce"))) {
        return dir.resolve("plugin/kubectl-quiesce");
      }
    }
    throw new IllegalStateException(
        "plugin/kubectl-quiesce not found above " + Path.of("").toAbsolutePath());
  }
}
