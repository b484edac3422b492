package io.quiesce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Instant;
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

  /**
   * A group snapshot: a bar per VM over its freeze window and the common window below them, on an
   * axis from the first freeze reply to the last unfreeze reply.
   */
  @Test
  void drawsTheOverlappingWindowsOfAGroupAndItsCommonWindow(@TempDir Path dir) throws Exception {
    Instant t0 = Instant.parse("2026-11-25T22:17:01Z");
    // guest-1 frozen 0..400 ms, guest-2 100..500 ms: all frozen 100..400 ms
    GroupWindows windows =
        new GroupWindows(
            List.of(
                new GroupWindows.MemberWindow("guest-1", true, t0, t0.plusMillis(400), 400L),
                new GroupWindows.MemberWindow(
                    "guest-2", true, t0.plusMillis(100), t0.plusMillis(500), 400L)),
            t0.plusMillis(100),
            t0.plusMillis(400),
            300L);
    SnapshotRow group =
        new SnapshotRow(
            "sandbox--20261125-2217",
            "guest-1+guest-2",
            "20261125-2217",
            SnapshotPhase.Succeeded,
            Consistency.FilesystemConsistent,
            300L,
            List.of(),
            "Frozen",
            windows);
    Path png = dir.resolve("group.png");
    FreezeChart.write(List.of(group), png);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(GroupChart.WIDTH);
    int top = GroupChart.MARGIN + 24 + GroupChart.PANEL_HEADER + GroupChart.BAR / 2;
    int row = GroupChart.BAR + GroupChart.GAP;
    int at50 = GroupChart.x(t0.plusMillis(50), t0, 500);
    int at250 = GroupChart.x(t0.plusMillis(250), t0, 500);
    int at450 = GroupChart.x(t0.plusMillis(450), t0, 500);
    int vm = GroupChart.VM_COLOR.getRGB() & 0xFFFFFF;
    int common = GroupChart.COMMON_COLOR.getRGB() & 0xFFFFFF;
    assertThat(image.getRGB(at50, top) & 0xFFFFFF).as("guest-1 frozen at 50 ms").isEqualTo(vm);
    assertThat(image.getRGB(at450, top) & 0xFFFFFF).as("guest-1 thawed at 450").isEqualTo(0xFFFFFF);
    assertThat(image.getRGB(at50, top + row) & 0xFFFFFF).as("guest-2 not yet").isEqualTo(0xFFFFFF);
    assertThat(image.getRGB(at450, top + row) & 0xFFFFFF).as("guest-2 at 450").isEqualTo(vm);
    assertThat(image.getRGB(at250, top + 2 * row) & 0xFFFFFF).as("all frozen").isEqualTo(common);
    assertThat(image.getRGB(at50, top + 2 * row) & 0xFFFFFF).as("not all").isEqualTo(0xFFFFFF);
    assertThat(image.getRGB(at450, top + 2 * row) & 0xFFFFFF).as("not all").isEqualTo(0xFFFFFF);
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
