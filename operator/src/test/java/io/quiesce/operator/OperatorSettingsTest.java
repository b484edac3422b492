package io.quiesce.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The env vars the chart's operator Deployment sets, read into settings. */
class OperatorSettingsTest {
  @Test
  void readsTheChartsEnvironment() {
    OperatorSettings s =
        OperatorSettings.fromEnv(
            Map.of(
                "POD_NAMESPACE",
                "quiesce-system",
                "POD_NAME",
                "op-0",
                "QUIESCE_WATCH_NAMESPACES",
                "prod, dev",
                "QUIESCE_LEADER_ELECTION",
                "true",
                "QUIESCE_MAX_CONCURRENT_FREEZES",
                "10",
                "QUIESCE_MAX_FREEZES_PER_NODE",
                "2",
                "QUIESCE_DEFAULT_CHANNEL",
                "kubevirt-api",
                "QUIESCE_HEALTH_ADDRESS",
                "0.0.0.0:8080"));

    assertThat(s.watchNamespaces()).containsExactlyInAnyOrder("prod", "dev");
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.maxConcurrent()).isEqualTo(10);
    assertThat(s.maxPerNode()).isEqualTo(2);
    assertThat(s.defaultChannel()).isEqualTo(QuiesceChannel.KUBEVIRT_API);
    assertThat(s.healthAddress().getPort()).isEqualTo(8080);
    assertThat(s.freezeTimeoutMax())
        .as("unset: the chart's default")
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void readsTheFreezeMaximumAsTheHelperDoes() {
    assertThat(
            OperatorSettings.fromEnv(
                    Map.of("POD_NAMESPACE", "q", "QUIESCE_FREEZE_TIMEOUT_MAX", "12s"))
                .freezeTimeoutMax())
        .isEqualTo(Duration.ofSeconds(12));
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnv(
                    Map.of("POD_NAMESPACE", "q", "QUIESCE_FREEZE_TIMEOUT_MAX", "12")))
        .hasMessageContaining("QUIESCE_FREEZE_TIMEOUT_MAX");
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnv(
                    Map.of("POD_NAMESPACE", "q", "QUIESCE_FREEZE_TIMEOUT_MAX", "0s")))
        .hasMessageContaining("QUIESCE_FREEZE_TIMEOUT_MAX");
  }

  @Test
  void emptyWatchListMeansAllAndBadValuesNameTheVariable() {
    assertThat(
            OperatorSettings.fromEnv(Map.of("POD_NAMESPACE", "q", "QUIESCE_WATCH_NAMESPACES", ""))
                .watchNamespaces())
        .isEmpty();
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnv(
                    Map.of("POD_NAMESPACE", "q", "QUIESCE_MAX_FREEZES_PER_NODE", "0")))
        .hasMessageContaining("QUIESCE_MAX_FREEZES_PER_NODE");
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnv(
                    Map.of("POD_NAMESPACE", "q", "QUIESCE_DEFAULT_CHANNEL", "helper")))
        .hasMessageContaining("QUIESCE_DEFAULT_CHANNEL")
        .hasMessageContaining("auto, qga, libvirt or kubevirt-api");
    assertThat(OperatorSettings.fromEnv(Map.of("POD_NAMESPACE", "q")).defaultChannel())
        .as("unset: auto")
        .isNull();
    assertThatThrownBy(() -> OperatorSettings.fromEnv(Map.of()))
        .hasMessageContaining("POD_NAMESPACE");
  }
}
