package io.quiesce.plugin;

import io.quiesce.testkit.kube.KubeTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code kubectl quiesce ARGS} through the real kubectl: kubectl finds the repository's launcher on
 * the PATH (a link in {@code dir/bin}); the launcher runs this build's classes.
 */
final class PluginRun {
  private PluginRun() {}

  static KubeTools.Result kubectlQuiesce(Path dir, Path kubeconfig, String... args)
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
