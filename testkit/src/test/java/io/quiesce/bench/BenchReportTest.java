package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

  @Test
  void tableHasARowPerFigureWithRatioAndOneForAFailedPhase() {
    PhaseResult window =
        PhaseResult.ok(
            "freeze-window",
            Map.of("k", 15),
            List.of(
                new BenchRow("freeze-window", "median (ms)", 300, 200.0, "status.freeze"),
                new BenchRow("freeze-window", "rss (MiB)", 80.5, null, "VmRSS")));
    String md =
        BenchReport.markdown(
            List.of(window, PhaseResult.failed("scale", new IllegalStateException("a|b"))));
    assertThat(md.lines())
        .containsExactly(
            "| phase | figure | Quiesce | baseline | ratio | how |",
            "|---|---|---:|---:|---:|---|",
            "| freeze-window | median (ms) | 300 | 200 | x1.50 | status.freeze |",
            "| freeze-window | rss (MiB) | 80.5 |  |  | VmRSS |",
            "| scale | FAILED | | | | java.lang.IllegalStateException: a\\|b |");
  }

  @Test
  void phaseResultsSurviveTheirJsonFile(@TempDir Path dir) throws Exception {
    PhaseResult written =
        PhaseResult.ok(
            "scale",
            Map.of("vms", 1000),
            List.of(new BenchRow("scale", "wall (ms)", 20000, 6000.0, "ideal")));
    written.write(dir);
    PhaseResult read = PhaseResult.read(dir.resolve("scale.json"));
    assertThat(read.rows()).isEqualTo(written.rows());
    assertThat(read.figures()).containsEntry("vms", 1000);
    assertThat(read.ok()).isTrue();
  }
}
