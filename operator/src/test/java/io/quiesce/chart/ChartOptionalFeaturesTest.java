package io.quiesce.chart;

import static io.quiesce.chart.PodSpecs.env;
import static io.quiesce.chart.PodSpecs.onlyContainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With ci/all-features-values.yaml every optional object appears, wired to the right pods and
 * ports.
 */
class ChartOptionalFeaturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RenderedChart chart;

  @BeforeAll
  static void render() {
    chart = QuiesceChart.render().values(QuiesceChart.allFeaturesValues()).objects();
  }

  @Test
  void addsEveryOptionalObject() {
    assertThat(chart.names())
        .contains(
            "PodDisruptionBudget/quiesce-operator",
            "NetworkPolicy/quiesce-operator",
            "NetworkPolicy/quiesce-node-helper",
            "ServiceMonitor/quiesce-operator",
            "ServiceMonitor/quiesce-node-helper",
            "PrometheusRule/quiesce",
            "ConfigMap/quiesce-dashboard");
    assertThat(chart.names()).doesNotHaveDuplicates();
  }

  @Test
  void configurationValuesReachTheContainers() {
    PodSpec operator =
        chart.one(Deployment.class, "quiesce-operator").getSpec().getTemplate().getSpec();
    PodSpec helper =
        chart.one(DaemonSet.class, "quiesce-node-helper").getSpec().getTemplate().getSpec();

    assertThat(env(onlyContainer(operator)))
        .contains(
            entry("QUIESCE_WATCH_NAMESPACES", "prod,staging"),
            entry("QUIESCE_DEFAULT_CHANNEL", "libvirt"),
            entry("QUIESCE_LOG_FORMAT", "json"),
            entry("QUIESCE_LOG_LEVEL", "debug"),
            entry("JAVA_TOOL_OPTIONS", "-Dfile.encoding=UTF-8"));
    assertThat(env(onlyContainer(helper)))
        .contains(
            entry(
                "QUIESCE_SOCKET_TEMPLATES",
                "/var/run/kubevirt-private/{podUID}/virt-serial0-qga.sock"),
            entry("QUIESCE_DEFAULT_CHANNEL", "libvirt"),
            entry("QUIESCE_LIBVIRT_SOCKET_ROOT", "/var/lib/k0s/kubelet/pods"),
            entry("QUIESCE_LOG_FORMAT", "json"));
    for (PodSpec pod : List.of(operator, helper)) {
      assertThat(pod.getImagePullSecrets())
          .extracting(LocalObjectReference::getName)
          .containsExactly("ghcr-pull");
    }
    assertThat(operator.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(helper.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(operator.getAffinity().getPodAntiAffinity()).isNotNull();
    assertThat(operator.getTopologySpreadConstraints()).hasSize(1);
  }

  @Test
  void podDisruptionBudgetKeepsOneOperatorUp() {
    PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class, "quiesce-operator");
    Map<String, String> podLabels =
        chart
            .one(Deployment.class, "quiesce-operator")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels();

    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void networkPoliciesOpenOnlyTheMetricsPortAndTheApiServer() {
    for (String component : List.of("operator", "node-helper")) {
      NetworkPolicy policy = chart.one(NetworkPolicy.class, "quiesce-" + component);

      assertThat(policy.getSpec().getPodSelector().getMatchLabels())
          .containsEntry("app.kubernetes.io/component", component);
      assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
      assertThat(policy.getSpec().getIngress())
          .singleElement()
          .satisfies(
              rule -> {
                assertThat(rule.getPorts())
                    .extracting(p -> p.getPort().getStrVal())
                    .containsExactly("http-metrics");
                assertThat(rule.getFrom())
                    .singleElement()
                    .satisfies(
                        peer ->
                            assertThat(peer.getNamespaceSelector().getMatchLabels())
                                .containsExactly(
                                    entry("kubernetes.io/metadata.name", "monitoring")));
              });
      List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
      assertThat(egress).hasSize(2);
      assertThat(egress.get(0).getPorts())
          .extracting(NetworkPolicyPort::getPort)
          .extracting(p -> p.getIntVal())
          .containsExactly(443, 6443);
      assertThat(egress.get(0).getTo())
          .extracting(peer -> peer.getIpBlock().getCidr())
          .containsExactly("10.0.0.1/32");
      assertThat(egress.get(1).getPorts())
          .extracting(p -> p.getPort().getIntVal())
          .containsExactly(53);
    }
  }

  @Test
  void serviceMonitorsScrapeEachComponentsMetricsService() {
    for (String component : List.of("operator", "node-helper")) {
      GenericKubernetesResource monitor = chart.generic("ServiceMonitor", "quiesce-" + component);
      Service service = chart.one(Service.class, "quiesce-" + component + "-metrics");
      JsonNode spec = JSON.valueToTree(monitor.getAdditionalProperties().get("spec"));

      assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
      Map<String, String> selector =
          JSON.convertValue(spec.at("/selector/matchLabels"), new TypeReference<>() {});
      assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
      assertThat(selector).containsEntry("app.kubernetes.io/component", component);
      assertThat(spec.at("/namespaceSelector/matchNames/0").asText())
          .isEqualTo(QuiesceChart.NAMESPACE);
      assertThat(spec.at("/endpoints/0/port").asText())
          .isEqualTo(service.getSpec().getPorts().get(0).getName());
      assertThat(spec.at("/endpoints/0/path").asText()).isEqualTo("/metrics");
    }
  }

  @Test
  void prometheusRuleAlertsOnLongFreezesWatchdogThawsFailuresAndMissedFires() {
    JsonNode groups =
        JSON.valueToTree(
                chart.generic("PrometheusRule", "quiesce").getAdditionalProperties().get("spec"))
            .path("groups");
    Map<String, JsonNode> alerts = new LinkedHashMap<>();
    groups.forEach(
        group ->
            group.path("rules").forEach(rule -> alerts.put(rule.path("alert").asText(), rule)));

    assertThat(alerts)
        .containsOnlyKeys(
            "QuiesceGuestFrozenTooLong",
            "QuiesceThawNotConfirmed",
            "QuiesceWatchdogThawed",
            "QuiesceSnapshotsFailed",
            "QuiesceScheduleMissedFires");
    assertThat(alerts.get("QuiesceGuestFrozenTooLong").path("expr").asText())
        .contains("quiesce_helper_frozen_guests");
    assertThat(alerts.get("QuiesceGuestFrozenTooLong").path("for").asText()).isEqualTo("1m");
    assertThat(alerts.get("QuiesceWatchdogThawed").path("expr").asText())
        .contains("increase(quiesce_helper_watchdog_thaws_total");
    assertThat(alerts.get("QuiesceSnapshotsFailed").path("expr").asText())
        .contains("quiesce_snapshots_total{outcome=\"Failed\"}");
    assertThat(alerts.get("QuiesceScheduleMissedFires").path("expr").asText())
        .contains("quiesce_schedule_missed_fires_total");
    alerts.forEach(
        (name, rule) -> {
          assertThat(rule.at("/labels/severity").asText()).as(name).isIn("warning", "critical");
          assertThat(rule.at("/labels/team").asText()).as(name).isEqualTo("platform");
          // Prometheus' own templates must survive Helm's rendering untouched.
          assertThat(rule.at("/annotations/description").asText())
              .as(name)
              .contains("{{ $value }}");
        });
  }

  @Test
  void dashboardConfigMapCarriesTheDashboardFileForGrafanasSidecar() throws IOException {
    ConfigMap dashboard = chart.one(ConfigMap.class, "quiesce-dashboard");
    String file = Files.readString(QuiesceChart.directory().resolve("dashboards/quiesce.json"));

    assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Quiesce");
    assertThat(JSON.readTree(dashboard.getData().get("quiesce.json")))
        .isEqualTo(JSON.readTree(file));
  }

  @Test
  void optionalObjectsAreOffByDefault() {
    List<HasMetadata> defaults = QuiesceChart.render().objects().objects();

    assertThat(defaults)
        .extracting(HasMetadata::getKind)
        .doesNotContain(
            "PodDisruptionBudget",
            "NetworkPolicy",
            "ServiceMonitor",
            "PrometheusRule",
            "ConfigMap");
  }
}
