package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * charts/quiesce/dashboards/quiesce.json: valid JSON with a panel for each thing operators watch.
 */
class GrafanaDashboardTest {
  private static final Pattern METRIC = Pattern.compile("\\bquiesce_[a-z_]+");
  private static JsonNode dashboard;

  @BeforeAll
  static void read() throws IOException {
    dashboard =
        new ObjectMapper()
            .readTree(QuiesceChart.directory().resolve("dashboards/quiesce.json").toFile());
  }

  @Test
  void hasAPanelForFreezeDurationFrozenGuestsWatchdogThawsOutcomesAndScheduleFires() {
    List<String> expressions = expressions();

    assertThat(expressions)
        .anyMatch(
            e ->
                e.contains("histogram_quantile(0.50")
                    && e.contains("quiesce_helper_freeze_duration_seconds_bucket"));
    assertThat(expressions)
        .anyMatch(
            e ->
                e.contains("histogram_quantile(0.95")
                    && e.contains("quiesce_helper_freeze_duration_seconds_bucket"));
    assertThat(expressions).anyMatch(e -> e.equals("sum(quiesce_helper_frozen_guests)"));
    assertThat(expressions).anyMatch(e -> e.contains("quiesce_helper_watchdog_thaws_total"));
    assertThat(expressions)
        .anyMatch(e -> e.contains("sum by (outcome)") && e.contains("quiesce_snapshots_total"));
    assertThat(expressions).anyMatch(e -> e.contains("quiesce_schedule_fires_total"));
  }

  @Test
  void everyPanelHasAUniqueIdATitleAndThePrometheusDataSourceVariable() {
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt()))
          .as("duplicate panel id %s", panel.path("id"))
          .isTrue();
      assertThat(panel.path("title").asText()).isNotBlank();
      assertThat(panel.at("/datasource/uid").asText()).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).isNotEmpty();
    }
    assertThat(dashboard.at("/templating/list/0/name").asText()).isEqualTo("datasource");
    assertThat(dashboard.path("uid").asText()).isEqualTo("quiesce-overview");
  }

  @Test
  void usesOnlyMetricsTheComponentsExport() {
    // The helper's names are in node-helper's FreezeMetrics; the operator's are the contract in
    // the chart's PrometheusRule. A renamed metric must be renamed here too.
    Set<String> exported =
        Set.of(
            "quiesce_helper_freeze_duration_seconds_bucket",
            "quiesce_helper_frozen_guests",
            "quiesce_helper_needs_thaw_guests",
            "quiesce_helper_watchdog_thaws_total",
            "quiesce_snapshots_total",
            "quiesce_schedule_fires_total",
            "quiesce_schedule_missed_fires_total");
    Set<String> used = new HashSet<>();
    for (String expression : expressions()) {
      Matcher m = METRIC.matcher(expression);
      while (m.find()) {
        used.add(m.group());
      }
    }

    assertThat(exported).containsAll(used);
    assertThat(used).isNotEmpty();
  }

  private static List<String> expressions() {
    List<String> expressions = new ArrayList<>();
    dashboard
        .path("panels")
        .forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
    return expressions;
  }
}
