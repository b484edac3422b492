package io.quiesce.chart;

import static io.quiesce.chart.PodSpecs.env;
import static io.quiesce.chart.PodSpecs.onlyContainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * operator.shards renders one operator Deployment per shard with its settings (docs/sharding.md).
 */
class ShardedChartTest {

  @Test
  void eachShardIsADeploymentOfItsOwnWithItsNamespacesSelectorAndCap() {
    RenderedChart chart =
        QuiesceChart.render()
            .values(QuiesceChart.directory().resolve("ci/shards-values.yaml"))
            .objects();

    assertThat(chart.names())
        .contains("Deployment/quiesce-operator-a", "Deployment/quiesce-operator-b")
        .doesNotContain("Deployment/quiesce-operator")
        .doesNotHaveDuplicates();
    Deployment a = chart.one(Deployment.class, "quiesce-operator-a");
    Deployment b = chart.one(Deployment.class, "quiesce-operator-b");
    Map<String, String> envA = env(onlyContainer(a.getSpec().getTemplate().getSpec()));
    Map<String, String> envB = env(onlyContainer(b.getSpec().getTemplate().getSpec()));
    assertThat(envA)
        .contains(
            entry("QUIESCE_SHARD", "a"),
            entry("QUIESCE_WATCH_NAMESPACES", "team-a"),
            entry("QUIESCE_MAX_CONCURRENT_FREEZES", "20"))
        .doesNotContainKey("QUIESCE_LABEL_SELECTOR");
    assertThat(envB)
        .contains(
            entry("QUIESCE_SHARD", "b"),
            entry("QUIESCE_WATCH_NAMESPACES", "team-b,team-c"),
            entry("QUIESCE_LABEL_SELECTOR", "quiesce.io/shard=b"),
            entry("QUIESCE_MAX_CONCURRENT_FREEZES", "10"));
    // each Deployment selects only its own pods
    assertThat(a.getSpec().getSelector().getMatchLabels()).containsEntry("quiesce.io/shard", "a");
    assertThat(b.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("quiesce.io/shard", "b");
  }

  @Test
  void withoutShardsThereIsOneOperatorAsBefore() {
    RenderedChart chart = QuiesceChart.render().objects();

    Deployment only = chart.one(Deployment.class, "quiesce-operator");
    assertThat(env(onlyContainer(only.getSpec().getTemplate().getSpec())))
        .doesNotContainKeys("QUIESCE_SHARD", "QUIESCE_LABEL_SELECTOR");
    assertThat(only.getSpec().getSelector().getMatchLabels()).doesNotContainKey("quiesce.io/shard");
  }
}
