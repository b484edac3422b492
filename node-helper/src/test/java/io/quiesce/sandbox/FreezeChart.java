package io.quiesce.sandbox;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** A small bar chart of the freeze window per snapshot, drawn headless with Java2D into a PNG. */
final class FreezeChart {

  private static final int WIDTH = 640;
  private static final int HEIGHT = 320;
  private static final int MARGIN = 50;

  private FreezeChart() {}

  /**
   * Writes one bar per snapshot (labelled with its VM), its height the snapshot's freeze window;
   * group snapshots get {@link GroupChart}'s overlapping windows instead.
   */
  static void write(List<SnapshotRow> snapshots, Path png) throws IOException {
    if (snapshots.stream().anyMatch(s -> s.group() != null)) {
      GroupChart.write(snapshots.stream().filter(s -> s.group() != null).toList(), png);
      return;
    }
    System.setProperty("java.awt.headless", "true");
    List<SnapshotRow> frozen = snapshots.stream().filter(s -> s.frozenMs() != null).toList();
    long max = Math.max(1, frozen.stream().mapToLong(SnapshotRow::frozenMs).max().orElse(1));
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString("Freeze window per snapshot (ms)", MARGIN, 25);
      int plotHeight = HEIGHT - 2 * MARGIN;
      g.setStroke(new BasicStroke(1));
      g.drawLine(MARGIN, HEIGHT - MARGIN, WIDTH - MARGIN / 2, HEIGHT - MARGIN);
      g.drawLine(MARGIN, MARGIN, MARGIN, HEIGHT - MARGIN);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
      g.drawString(max + "", 5, MARGIN + 4);
      g.drawString("0", 30, HEIGHT - MARGIN + 4);
      int slot = frozen.isEmpty() ? 0 : (WIDTH - MARGIN - MARGIN / 2) / frozen.size();
      for (int i = 0; i < frozen.size(); i++) {
        SnapshotRow s = frozen.get(i);
        int h = (int) Math.round((double) s.frozenMs() / max * plotHeight);
        int x = MARGIN + i * slot + slot / 6;
        g.setColor(s.filesystemConsistent() ? new Color(46, 125, 50) : new Color(198, 40, 40));
        g.fillRect(x, HEIGHT - MARGIN - h, Math.max(1, slot * 2 / 3), h);
        g.setColor(Color.BLACK);
        g.drawString(s.frozenMs() + "", x, HEIGHT - MARGIN - h - 3);
        g.drawString(s.vm(), x, HEIGHT - MARGIN + 14);
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }
}
