package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartJvmFlagsTest {

  private static final Path CHART_VALUES = Path.of("..", "charts", "quiesce", "values.yaml");

  @Test
  void readsBothComponentsFlagsFromTheChart() throws Exception {
    assertThat(ChartJvmFlags.of(CHART_VALUES, "operator"))
        .isNotEmpty()
        .allMatch(f -> f.startsWith("-"));
    assertThat(ChartJvmFlags.of(CHART_VALUES, "nodeHelper"))
        .isNotEmpty()
        .allMatch(f -> f.startsWith("-"));
  }

  @Test
  void readsTheListAsWritten(@TempDir Path dir) throws Exception {
    Path values =
        Files.writeString(
            dir.resolve("values.yaml"),
            "operator:\n  jvmFlags:\n    - -Xmx64m\n    - -XX:+UseSerialGC\nhelper:\n  jvmFlags: nope\n");
    assertThat(ChartJvmFlags.of(values, "operator")).containsExactly("-Xmx64m", "-XX:+UseSerialGC");
    Path limits =
        Files.writeString(
            dir.resolve("limits.yaml"),
            "a:\n  resources:\n    limits:\n      memory: 160Mi\nb:\n  resources:\n    limits:\n      memory: 1G\n");
    assertThat(ChartJvmFlags.containerMaxRam(limits, "a")).isEqualTo("-XX:MaxRAM=" + (160L << 20));
    assertThatThrownBy(() -> ChartJvmFlags.containerMaxRam(limits, "b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ChartJvmFlags.maxRam("448Mi")).isEqualTo("-XX:MaxRAM=" + (448L << 20));
    assertThat(ChartJvmFlags.maxRam("1Gi")).isEqualTo("-XX:MaxRAM=" + (1L << 30));
    assertThatThrownBy(() -> ChartJvmFlags.maxRam("448M"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChartJvmFlags.of(values, "helper"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
