package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Uninstall: a post-delete Job removes the operator's finalizer from QuiescedSnapshots (else deleting
 * them or their namespace hangs once the operator is gone), with a ServiceAccount that may only list
 * and patch QuiescedSnapshots.
 */
class UninstallHookTest {

    @Test
    void aPostDeleteJobReleasesTheFinalizersWithATightlyScopedAccount() {
        List<HasMetadata> objects = QuiesceChart.render().objects().objects();
        Job job = objects.stream().filter(Job.class::isInstance).map(Job.class::cast)
                .filter(j -> j.getMetadata().getName().endsWith("-uninstall")).findFirst().orElseThrow();
        assertThat(job.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "post-delete");
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getCommand()).containsSubsequence("finalizers", "release");
        String account = job.getSpec().getTemplate().getSpec().getServiceAccountName();

        ClusterRoleBinding binding = objects.stream().filter(ClusterRoleBinding.class::isInstance)
                .map(ClusterRoleBinding.class::cast)
                .filter(b -> b.getSubjects().stream().anyMatch(s -> account.equals(s.getName()))).findFirst().orElseThrow();
        ClusterRole role = objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .filter(r -> r.getMetadata().getName().equals(binding.getRoleRef().getName())).findFirst().orElseThrow();
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("quiesce.io");
            assertThat(rule.getResources()).containsExactly("quiescedsnapshots");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("list", "patch");
        });
        for (HasMetadata hook : List.of(role, binding, job)) {
            assertThat(hook.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "post-delete");
        }
    }

    @Test
    void theJobReleasesOnlyTheWatchedNamespacesWhenThoseAreSetAndCanBeTurnedOff() {
        Job job = QuiesceChart.render().set("operator.watchNamespaces[0]", "team-a")
                .set("operator.watchNamespaces[1]", "team-b").objects().objects().stream()
                .filter(Job.class::isInstance).map(Job.class::cast).findFirst().orElseThrow();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
                .endsWith("finalizers", "release", "team-a", "team-b");

        assertThat(QuiesceChart.render().set("operator.uninstallCleanup.enabled", false).objects().objects())
                .noneMatch(Job.class::isInstance);
    }
}
