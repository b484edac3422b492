package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WarmUpFireTest {

  @Test
  void defaultSizeIsTwoWavesOfTheCapOrATenthOfTheFleetButNeverMoreThanTheFleet() {
    assertThat(WarmUpFire.defaultSize(500, 50)).isEqualTo(100);
    assertThat(WarmUpFire.defaultSize(5000, 50)).isEqualTo(500);
    assertThat(WarmUpFire.defaultSize(30, 50)).isEqualTo(30);
  }

  @Test
  void rowsShowTheColdFireAgainstItsIdealAndItsCpuAgainstTheMeasuredFire() {
    WarmUpFire cold = new WarmUpFire(100, 4200, 600, 100, 3000, 4000);

    List<BenchRow> rows = cold.rows("scale", 20.0, 25.0);

    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).figure())
        .isEqualTo("warm-up fire to all terminal (ms), 100 fake VMs of its own");
    assertThat(rows.get(0).ratio()).isEqualTo(7.0);
    assertThat(rows.get(0).note()).startsWith("not counted above").endsWith("100 of 100 Succeeded");
    assertThat(rows.get(1).quiesce()).isEqualTo(70.0);
    assertThat(rows.get(1).baseline()).isEqualTo(45.0);
    assertThat(rows.get(1).note())
        .isEqualTo("baseline: the measured fire's; operator 30.0 vs 20.0, bench JVM 40.0 vs 25.0");
  }

  @Test
  void figuresCarryItsCpuPerSnapshotUnderKeysOfTheirOwn() {
    WarmUpFire cold = new WarmUpFire(100, 4200, 600, 99, 3000, 4000);

    assertThat(cold.figures())
        .containsEntry("warmupVms", 100)
        .containsEntry("warmupSucceeded", 99L)
        .containsEntry("warmupOperatorCpuMsPerSnapshot", 30.0)
        .containsEntry("warmupBenchJvmCpuMsPerSnapshot", 40.0);
  }
}
