package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm-java's template returns the release manifest without its hooks (the helm CLI prints those
 * itself), so the hook template is rendered from a copy of the chart whose hook annotations are
 * renamed; the original annotations are checked on the file.
 *
 * <p>Uninstall: a post-delete Job removes the operator's finalizer from QuiescedSnapshots (else
 * deleting them or their namespace hangs once the operator is gone), with a ServiceAccount that may
 * only list and patch QuiescedSnapshots.
 */
class UninstallHookTest {

  private static final String HOOK_FILE = "templates/operator/uninstall-hook.yaml";
  private static final String UNHOOKED = "quiesce.test/was-hook";

  @TempDir Path tmp;

  /** The chart with the hook template's annotations renamed, rendered with {@code sets}. */
  private List<HasMetadata> renderHooks(Map<String, Object> sets) throws IOException {
    Path overlay = Files.writeString(tmp.resolve("overlay.yaml"), "{}\n");
    Path chart = QuiesceChart.copyWithValues(overlay, Files.createTempDirectory(tmp, "chart"));
    Path hook = chart.resolve(HOOK_FILE);
    Files.writeString(hook, Files.readString(hook).replace("helm.sh/hook:", UNHOOKED + ":"));
    TemplateCommand template =
        new Helm(chart)
            .template()
            .withName(QuiesceChart.RELEASE)
            .withNamespace(QuiesceChart.NAMESPACE)
            .withKubeVersion(QuiesceChart.KUBE_VERSION)
            .skipCrds();
    sets.forEach(template::set);
    return RenderedChart.parse(template.call()).objects();
  }

  @Test
  void theHookTemplateRunsPostDeleteOnly() throws IOException {
    String text = Files.readString(QuiesceChart.directory().resolve(HOOK_FILE));
    assertThat(text.split("helm.sh/hook: post-delete", -1))
        .hasSize(5); // ServiceAccount, role, binding, Job
    assertThat(text).doesNotContain("pre-delete", "post-install", "pre-install");
  }

  @Test
  void aPostDeleteJobReleasesTheFinalizersWithATightlyScopedAccount() throws IOException {
    List<HasMetadata> objects = renderHooks(Map.of());
    Job job =
        objects.stream()
            .filter(Job.class::isInstance)
            .map(Job.class::cast)
            .filter(j -> j.getMetadata().getName().endsWith("-uninstall"))
            .findFirst()
            .orElseThrow();
    assertThat(job.getMetadata().getAnnotations()).containsEntry(UNHOOKED, "post-delete");
    var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getCommand()).containsSubsequence("finalizers", "release");
    String account = job.getSpec().getTemplate().getSpec().getServiceAccountName();

    ClusterRoleBinding binding =
        objects.stream()
            .filter(ClusterRoleBinding.class::isInstance)
            .map(ClusterRoleBinding.class::cast)
            .filter(b -> b.getSubjects().stream().anyMatch(s -> account.equals(s.getName())))
            .findFirst()
            .orElseThrow();
    ClusterRole role =
        objects.stream()
            .filter(ClusterRole.class::isInstance)
            .map(ClusterRole.class::cast)
            .filter(r -> r.getMetadata().getName().equals(binding.getRoleRef().getName()))
            .findFirst()
            .orElseThrow();
    assertThat(role.getRules())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getApiGroups()).containsExactly("quiesce.io");
              assertThat(rule.getResources())
                  .containsExactly("quiescedsnapshots", "quiescedsnapshotrestores");
              assertThat(rule.getVerbs()).containsExactlyInAnyOrder("list", "patch");
            });
    for (HasMetadata hook : List.of(role, binding, job)) {
      assertThat(hook.getMetadata().getAnnotations()).containsEntry(UNHOOKED, "post-delete");
    }
  }

  @Test
  void theJobReleasesOnlyTheWatchedNamespacesWhenThoseAreSetAndCanBeTurnedOff() throws IOException {
    Job job =
        renderHooks(
                Map.of(
                    "operator.watchNamespaces[0]",
                    "team-a",
                    "operator.watchNamespaces[1]",
                    "team-b"))
            .stream()
            .filter(Job.class::isInstance)
            .map(Job.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .endsWith("finalizers", "release", "team-a", "team-b");

    assertThat(renderHooks(Map.of("operator.uninstallCleanup.enabled", false)))
        .noneMatch(Job.class::isInstance);
  }
}
