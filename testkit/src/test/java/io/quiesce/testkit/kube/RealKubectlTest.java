package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl 1.35 against the test API server: version, discovery with short names, printer
 * columns, apply (client- and server-side), the CRD's schema and CEL rules enforced on writes,
 * explain from OpenAPI v3, wait on a streamed watch, describe, pagination, selectors and delete.
 */
@KubeApiTest
class RealKubectlTest {
  private final KubeApiServer server;
  private final KubernetesClient client;
  private Path kubeconfig;
  private String ns;

  RealKubectlTest(KubeApiServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  @BeforeEach
  void kubeconfig(@TempDir Path dir) throws IOException {
    ns = server.createNamespace("kubectl");
    kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"), ns);
  }

  private KubeTools.Result kubectl(String stdin, String... args) {
    String[] command = new String[args.length + 1];
    command[0] = KubeTools.kubectl().toString();
    System.arraycopy(args, 0, command, 1, args.length);
    return KubeTools.run(kubeconfig, Map.of(), stdin, command);
  }

  private KubeTools.Result ok(String stdin, String... args) {
    KubeTools.Result result = kubectl(stdin, args);
    assertThat(result.exitCode()).as("%s", result).isZero();
    return result;
  }

  private static String snapshot(String name, String extraSpec) {
    return """
                apiVersion: quiesce.io/v1alpha1
                kind: QuiescedSnapshot
                metadata:
                  name: %s
                spec:
                  source: guest-1
                %s"""
        .formatted(name, extraSpec);
  }

  @Test
  void versionIsTheServersVersion() {
    assertThat(ok(null, "version").stdout())
        .contains("Server Version: " + DiscoveryEndpoints.GIT_VERSION);
  }

  @Test
  void getUsesShortNamesAndPrinterColumns() {
    ok(snapshot("cols", ""), "apply", "-f", "-");

    String table = ok(null, "get", "qsnap").stdout();

    assertThat(table.lines().findFirst().orElseThrow())
        .matches("NAME\\s+VM\\s+PHASE\\s+CONSISTENCY\\s+FROZEN-MS\\s+AGE");
    assertThat(table).containsPattern("cols\\s+guest-1\\s");
    assertThat(ok(null, "api-resources", "--api-group=quiesce.io").stdout())
        .contains("qsnap")
        .contains("qsched");
  }

  @Test
  void applyDefaultsTheSpecAndServerSideApplyWorks() {
    ok(snapshot("client-side", ""), "apply", "-f", "-");
    ok(snapshot("server-side", ""), "apply", "--server-side", "-f", "-");

    assertThat(
            ok(null, "get", "qsnap", "client-side", "-o", "jsonpath={.spec.quiesce.timeout}")
                .stdout())
        .isEqualTo("5s");
    assertThat(ok(null, "get", "qsnap", "server-side", "-o", "jsonpath={.spec.source}").stdout())
        .isEqualTo("guest-1");
  }

  @Test
  void anInvalidSpecIsRefusedWithTheRulesMessageAndFieldPath() {
    KubeTools.Result refused =
        kubectl(snapshot("too-long", "  quiesce: {timeout: 1h}\n"), "apply", "-f", "-");

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr())
        .contains("is invalid")
        .contains("spec.quiesce.timeout")
        .contains("Invalid value: \"1h\"");
    assertThat(client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("too-long").get())
        .isNull();
  }

  @Test
  void anUnknownFieldIsRefusedUnderKubectlsStrictValidation() {
    KubeTools.Result refused =
        kubectl(snapshot("typo", "  quiesce: {timout: 3s}\n"), "apply", "-f", "-");

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr()).contains("unknown field \"spec.quiesce.timout\"");
  }

  @Test
  void explainReadsTheCrdSchema() {
    String explained = ok(null, "explain", "qsnap.spec.quiesce").stdout();

    assertThat(explained)
        .contains("KIND:       QuiescedSnapshot")
        .contains("FIELD: quiesce <Object>")
        .contains("timeout")
        .contains("mode");
  }

  @Test
  void waitFollowsTheStatusThroughAWatch() throws Exception {
    ok(snapshot("waited", ""), "apply", "-f", "-");
    CompletableFuture<KubeTools.Result> waiting =
        CompletableFuture.supplyAsync(
            () ->
                kubectl(
                    null,
                    "wait",
                    "--for=jsonpath={.status.phase}=Succeeded",
                    "qsnap/waited",
                    "--timeout=60s"));

    QuiescedSnapshot live =
        client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("waited").get();
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(SnapshotPhase.Succeeded);
    live.setStatus(status);
    client.resource(live).updateStatus();

    KubeTools.Result waited = waiting.get(90, TimeUnit.SECONDS);
    assertThat(waited.exitCode()).as("%s", waited).isZero();
    assertThat(waited.stdout()).contains("condition met");
  }

  @Test
  void describeShowsTheSpecAndDeleteRemoves() {
    ok(snapshot("described", ""), "apply", "-f", "-");

    assertThat(ok(null, "describe", "qsnap", "described").stdout())
        .contains("Name:         described")
        .contains("Source:")
        .contains("guest-1");
    ok(null, "delete", "qsnap", "described");
    assertThat(client.resources(QuiescedSnapshot.class).inNamespace(ns).withName("described").get())
        .isNull();
  }

  @Test
  void pagesAndSelectorsNarrowLists() {
    for (String name : new String[] {"p-a", "p-b", "p-c"}) {
      ok(
          snapshot(name, "").replace("metadata:\n", "metadata:\n  labels: {tier: " + name + "}\n"),
          "apply",
          "-f",
          "-");
    }

    assertThat(ok(null, "get", "qsnap", "--chunk-size=1", "-o", "name").stdout().lines())
        .containsExactly(
            "quiescedsnapshot.quiesce.io/p-a",
            "quiescedsnapshot.quiesce.io/p-b",
            "quiescedsnapshot.quiesce.io/p-c");
    assertThat(ok(null, "get", "qsnap", "-l", "tier in (p-a,p-c)", "-o", "name").stdout().lines())
        .containsExactly("quiescedsnapshot.quiesce.io/p-a", "quiescedsnapshot.quiesce.io/p-c");
    assertThat(
            ok(null, "get", "qsnap", "--field-selector", "metadata.name!=p-b", "-o", "name")
                .stdout()
                .lines())
        .containsExactly("quiescedsnapshot.quiesce.io/p-a", "quiescedsnapshot.quiesce.io/p-c");
  }
}
