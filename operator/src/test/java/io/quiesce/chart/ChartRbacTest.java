package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exact permissions of each component. The tables below are the review surface: a new verb or
 * resource in the chart fails this test until the table says the same, so it is always a visible
 * decision. Keys are "group/resource" ("" is the core group).
 */
class ChartRbacTest {
  private static final Set<String> CRUD =
      Set.of("get", "list", "watch", "create", "update", "patch", "delete");
  private static final Set<String> READ = Set.of("get", "list", "watch");

  private static final Map<String, Set<String>> OPERATOR_CLUSTER =
      table(
          "quiesce.io/quiescedsnapshots", CRUD,
          "quiesce.io/quiescedsnapshotschedules", CRUD,
          "quiesce.io/quiescedsnapshots/status", Set.of("get", "update", "patch"),
          "quiesce.io/quiescedsnapshotschedules/status", Set.of("get", "update", "patch"),
          "quiesce.io/quiescedsnapshots/finalizers", Set.of("update"),
          "quiesce.io/quiescedsnapshotschedules/finalizers", Set.of("update"),
          "quiesce.io/quiescedsnapshotrestores", Set.of("get", "list", "watch", "update", "patch"),
          "quiesce.io/quiescedsnapshotrestores/status", Set.of("get", "update", "patch"),
          "quiesce.io/quiescedsnapshotrestores/finalizers", Set.of("update"),
          "kubevirt.io/virtualmachines", Set.of("get", "list", "watch", "create", "patch"),
          "kubevirt.io/virtualmachineinstances", READ,
          "subresources.kubevirt.io/virtualmachineinstances/freeze", Set.of("update"),
          "subresources.kubevirt.io/virtualmachineinstances/unfreeze", Set.of("update"),
          "subresources.kubevirt.io/virtualmachineinstances/filesystemlist", Set.of("get"),
          "subresources.kubevirt.io/virtualmachineinstances/guestosinfo", Set.of("get"),
          "snapshot.storage.k8s.io/volumesnapshots", CRUD,
          "snapshot.storage.k8s.io/volumesnapshotclasses", READ,
          // spec.volumeGroup: the group class per driver; the group when no freeze (or KubeVirt)
          // cuts it
          "groupsnapshot.storage.k8s.io/volumegroupsnapshotclasses", READ,
          "groupsnapshot.storage.k8s.io/volumegroupsnapshots",
              Set.of("get", "list", "watch", "create", "delete"),
          // patch: the group's selector label; create/delete: a restore's PVCs (and the previous
          // ones)
          "/persistentvolumeclaims", Set.of("get", "list", "watch", "create", "patch", "delete"),
          "storage.k8s.io/storageclasses", READ,
          "/events", Set.of("create", "patch"),
          "events.k8s.io/events", Set.of("create", "patch"));
  private static final Map<String, Set<String>> OPERATOR_NAMESPACE =
      table("coordination.k8s.io/leases", Set.of("get", "list", "watch", "create", "update"));

  private static final Map<String, Set<String>> HELPER_CLUSTER =
      table(
          "quiesce.io/quiescedsnapshots", READ,
          "quiesce.io/quiescedsnapshots/status", Set.of("patch"),
          // patch: the answer to an emergency thaw request (two annotations; admission policy)
          "kubevirt.io/virtualmachineinstances", Set.of("get", "list", "watch", "patch"),
          "snapshot.storage.k8s.io/volumesnapshots", Set.of("get", "list", "watch", "create"),
          "groupsnapshot.storage.k8s.io/volumegroupsnapshots",
              Set.of("get", "list", "watch", "create"),
          "/events", Set.of("create", "patch"),
          "events.k8s.io/events", Set.of("create", "patch"));
  private static final Map<String, Set<String>> HELPER_NAMESPACE =
      table("coordination.k8s.io/leases", Set.of("get", "create", "update"));

  static Stream<Arguments> renders() {
    return Stream.of(
        Arguments.of("defaults", QuiesceChart.render().objects()),
        Arguments.of(
            "all features on",
            QuiesceChart.render().values(QuiesceChart.allFeaturesValues()).objects()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void operatorHasExactlyItsTable(String values, RenderedChart chart) {
    assertThat(permissions(chart.one(ClusterRole.class, "quiesce-operator").getRules()))
        .isEqualTo(OPERATOR_CLUSTER);
    assertThat(permissions(chart.one(Role.class, "quiesce-operator").getRules()))
        .isEqualTo(OPERATOR_NAMESPACE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void nodeHelperHasExactlyItsTable(String values, RenderedChart chart) {
    assertThat(permissions(chart.one(ClusterRole.class, "quiesce-node-helper").getRules()))
        .isEqualTo(HELPER_CLUSTER);
    assertThat(permissions(chart.one(Role.class, "quiesce-node-helper").getRules()))
        .isEqualTo(HELPER_NAMESPACE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void noRoleHasAWildcardOrGrantsBeyondResources(String values, RenderedChart chart) {
    List<PolicyRule> rules =
        Stream.concat(
                chart.all(ClusterRole.class).stream()
                    .flatMap(
                        r -> {
                          assertThat(r.getAggregationRule())
                              .as("aggregated ClusterRole " + r.getMetadata().getName())
                              .isNull();
                          return r.getRules().stream();
                        }),
                chart.all(Role.class).stream().flatMap(r -> r.getRules().stream()))
            .toList();

    assertThat(rules)
        .isNotEmpty()
        .allSatisfy(
            rule -> {
              assertThat(rule.getApiGroups()).doesNotContain("*");
              assertThat(rule.getResources()).isNotEmpty().noneMatch(r -> r.contains("*"));
              assertThat(rule.getVerbs()).isNotEmpty().doesNotContain("*");
              assertThat(rule.getNonResourceURLs()).isEmpty();
              assertThat(rule.getResourceNames()).isEmpty();
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void eachBindingGrantsItsOwnRoleToItsOwnServiceAccountOnly(String values, RenderedChart chart) {
    assertThat(chart.all(ClusterRole.class)).hasSize(2);
    assertThat(chart.all(Role.class)).hasSize(2);
    for (String name : List.of("quiesce-operator", "quiesce-node-helper")) {
      ClusterRoleBinding clusterBinding = chart.one(ClusterRoleBinding.class, name);
      RoleBinding binding = chart.one(RoleBinding.class, name);

      assertBinding(clusterBinding.getRoleRef(), clusterBinding.getSubjects(), "ClusterRole", name);
      assertBinding(binding.getRoleRef(), binding.getSubjects(), "Role", name);
      assertThat(binding.getMetadata().getNamespace()).isEqualTo(QuiesceChart.NAMESPACE);
    }
  }

  @Test
  void theTablesThemselvesCanFail() {
    // A rule the chart does not have must make the comparison fail (guards against a vacuous
    // check).
    Map<String, Set<String>> withExtra = new TreeMap<>(HELPER_CLUSTER);
    withExtra.put("/secrets", Set.of("get"));
    RenderedChart chart = QuiesceChart.render().objects();

    assertThat(permissions(chart.one(ClusterRole.class, "quiesce-node-helper").getRules()))
        .isNotEqualTo(withExtra);
  }

  private static void assertBinding(
      RoleRef roleRef, List<Subject> subjects, String kind, String name) {
    assertThat(roleRef.getKind()).isEqualTo(kind);
    assertThat(roleRef.getName()).isEqualTo(name);
    assertThat(subjects)
        .singleElement()
        .satisfies(
            subject -> {
              assertThat(subject.getKind()).isEqualTo("ServiceAccount");
              assertThat(subject.getName()).isEqualTo(name);
              assertThat(subject.getNamespace()).isEqualTo(QuiesceChart.NAMESPACE);
            });
  }

  /**
   * Rules flattened to "group/resource" → verbs; a pair granted by two rules fails (one place per
   * grant).
   */
  private static Map<String, Set<String>> permissions(List<PolicyRule> rules) {
    Map<String, Set<String>> permissions = new TreeMap<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          Set<String> previous =
              permissions.put(group + "/" + resource, new TreeSet<>(rule.getVerbs()));
          assertThat(previous).as("%s/%s granted twice", group, resource).isNull();
        }
      }
    }
    return permissions;
  }

  private static Map<String, Set<String>> table(Object... pairs) {
    Map<String, Set<String>> table = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      @SuppressWarnings("unchecked")
      Set<String> verbs = (Set<String>) pairs[i + 1];
      table.put((String) pairs[i], new TreeSet<>(verbs));
    }
    return table;
  }
}
