package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code helm lint --strict}: warnings count as failures. */
class ChartLintTest {

  @Test
  void defaultValuesLintClean() {
    LintResult result = QuiesceChart.lintStrict();

    assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void allFeaturesOnLintClean(@TempDir Path dir) throws IOException {
    Path chart =
        QuiesceChart.copyWithValues(QuiesceChart.allFeaturesValues(), dir.resolve("quiesce"));

    LintResult result = QuiesceChart.lintStrict(chart);

    assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void lintCatchesABrokenChart(@TempDir Path dir) throws IOException {
    // The lint above must be able to fail: a values file the schema rejects makes it fail.
    Path overlay = dir.resolve("bad.yaml");
    Files.writeString(overlay, "operator:\n  replicas: -1\n");
    Path chart = QuiesceChart.copyWithValues(overlay, dir.resolve("quiesce"));

    LintResult result = QuiesceChart.lintStrict(chart);

    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("replicas");
  }
}
