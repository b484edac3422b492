package io.quiesce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreezeChartTest {

  @Test
  void drawsOneBarPerFrozenSnapshotIntoAPng(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("chart.png");
    FreezeChart.write(List.of(row("a", 400L), row("b", 100L), row("c", null)), png);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(640);
    assertThat(image.getHeight()).isEqualTo(320);
    // two slots of 282 px from x=50; the tallest bar (400 ms) reaches the plot's top (y=50), the
    // 100 ms one a quarter of its 220 px; green marks FilesystemConsistent
    assertThat(image.getRGB(150, 60) & 0xFFFFFF).as("top of the 400 ms bar").isEqualTo(0x2E7D32);
    assertThat(image.getRGB(450, 100) & 0xFFFFFF).as("above the 100 ms bar").isEqualTo(0xFFFFFF);
    assertThat(image.getRGB(450, 260) & 0xFFFFFF).as("inside the 100 ms bar").isEqualTo(0x2E7D32);
  }

  private static SnapshotRow row(String vm, Long frozenMs) {
    return new SnapshotRow(
        "s-" + vm,
        vm,
        "20261125-2217",
        SnapshotPhase.Succeeded,
        Consistency.FilesystemConsistent,
        frozenMs,
        List.of());
  }
}
