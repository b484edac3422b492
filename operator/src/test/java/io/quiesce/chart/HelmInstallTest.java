package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.KubeTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real helm (v4) installs and upgrades the chart into the test API server: every object is
 * stored (and custom resources are validated against their CRDs), helm keeps its release there. No
 * pod runs: nothing plays the kubelet.
 */
@KubeApiTest
class HelmInstallTest {
  private static final String RELEASE = "quiesce";

  private final KubeApiServer server;
  private final KubernetesClient client;

  HelmInstallTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @Test
  void installThenUpgradeStoresTheChartsObjectsAndTheRelease(@TempDir Path dir) throws IOException {
    String ns = server.createNamespace("helm");
    Path kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"), ns);
    String chart = QuiesceChart.directory().toString();

    KubeTools.Result installed = helm(kubeconfig, "install", RELEASE, chart, "--namespace", ns);
    assertThat(installed.exitCode()).as("%s", installed).isZero();

    assertThat(client.apps().deployments().inNamespace(ns).withName("quiesce-operator").get())
        .isNotNull();
    assertThat(client.apps().daemonSets().inNamespace(ns).withName("quiesce-node-helper").get())
        .isNotNull();
    assertThat(
            client
                .rbac()
                .clusterRoles()
                .withLabel("app.kubernetes.io/instance", RELEASE)
                .list()
                .getItems())
        .isNotEmpty();
    assertThat(release(ns, 1).getMetadata().getLabels()).containsEntry("status", "deployed");

    KubeTools.Result upgraded =
        helm(kubeconfig, "upgrade", RELEASE, chart, "--namespace", ns, "--set", "channel=qga");
    assertThat(upgraded.exitCode()).as("%s", upgraded).isZero();

    assertThat(release(ns, 1).getMetadata().getLabels()).containsEntry("status", "superseded");
    assertThat(release(ns, 2).getMetadata().getLabels()).containsEntry("status", "deployed");
    KubeTools.Result history = helm(kubeconfig, "history", RELEASE, "--namespace", ns);
    assertThat(history.stdout()).contains("Install complete").contains("Upgrade complete");
  }

  private Secret release(String ns, int revision) {
    Secret secret =
        client
            .secrets()
            .inNamespace(ns)
            .withName("sh.helm.release.v1." + RELEASE + ".v" + revision)
            .get();
    assertThat(secret).as("helm's release secret, revision %d", revision).isNotNull();
    return secret;
  }

  private static KubeTools.Result helm(Path kubeconfig, String... args) {
    String[] command = new String[args.length + 1];
    command[0] = KubeTools.helm().toString();
    System.arraycopy(args, 0, command, 1, args.length);
    return KubeTools.run(
        kubeconfig,
        Map.of(
            "HELM_CACHE_HOME",
            kubeconfig.getParent() + "/helm-cache",
            "HELM_CONFIG_HOME",
            kubeconfig.getParent() + "/helm-config",
            "HELM_DATA_HOME",
            kubeconfig.getParent() + "/helm-data"),
        null,
        command);
  }
}
