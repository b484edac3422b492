package io.quiesce.sandbox;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The overlapping freeze windows of group snapshots, drawn headless with Java2D into a PNG: one
 * panel per group snapshot, a bar per VM from its freeze reply to its unfreeze reply and, below
 * them, the common window (every VM frozen at once), on a millisecond axis from the group's first
 * freeze.
 */
final class GroupChart {
  static final int WIDTH = 720;
  static final int MARGIN = 20;
  static final int LABEL = 110;
  static final int BAR = 18;
  static final int GAP = 6;
  static final int PANEL_HEADER = 22;
  static final int AXIS = 24;

  static final Color VM_COLOR = new Color(21, 101, 192);
  static final Color COMMON_COLOR = new Color(46, 125, 50);

  private GroupChart() {}

  static void write(List<SnapshotRow> groups, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<SnapshotRow> drawn = groups.stream().filter(s -> s.group().drawable()).toList();
    int height =
        2 * MARGIN
            + 24
            + drawn.stream().mapToInt(s -> panelHeight(s.group().members().size())).sum();
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(
          "Group snapshots: each VM's freeze window and the common window (ms)",
          MARGIN,
          MARGIN + 4);
      int y = MARGIN + 24;
      for (SnapshotRow s : drawn) {
        drawPanel(g, s, y);
        y += panelHeight(s.group().members().size());
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  static int panelHeight(int members) {
    return PANEL_HEADER + (members + 1) * (BAR + GAP) + AXIS;
  }

  /** The x of {@code t} on a panel whose axis runs from {@code origin} over {@code spanMs}. */
  static int x(Instant t, Instant origin, long spanMs) {
    int plot = WIDTH - MARGIN - (MARGIN + LABEL);
    long ms = Duration.between(origin, t).toMillis();
    return MARGIN + LABEL + (int) Math.round((double) ms / spanMs * plot);
  }

  private static void drawPanel(Graphics2D g, SnapshotRow s, int top) {
    GroupWindows w = s.group();
    Instant origin =
        w.members().stream()
            .map(GroupWindows.MemberWindow::start)
            .min(Instant::compareTo)
            .orElseThrow();
    Instant last =
        w.members().stream()
            .map(GroupWindows.MemberWindow::end)
            .max(Instant::compareTo)
            .orElseThrow();
    long span = Math.max(1, Duration.between(origin, last).toMillis());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
    String verdict =
        s.consistency() != null ? s.consistency().toString() : s.phase() + " (" + s.reason() + ")";
    g.drawString(
        s.name() + "  " + verdict + ", common window " + w.commonMs() + " ms", MARGIN, top + 14);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    int y = top + PANEL_HEADER;
    for (GroupWindows.MemberWindow m : w.members()) {
      bar(g, m.vm() + " (" + m.durationMs() + ")", m.start(), m.end(), origin, span, y, VM_COLOR);
      y += BAR + GAP;
    }
    bar(g, "all frozen", w.commonStart(), w.commonEnd(), origin, span, y, COMMON_COLOR);
    y += BAR + GAP;
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1));
    g.drawLine(MARGIN + LABEL, y, WIDTH - MARGIN, y);
    g.drawString("0", MARGIN + LABEL - 3, y + 12);
    String end = span + " ms";
    g.drawString(end, WIDTH - MARGIN - g.getFontMetrics().stringWidth(end), y + 12);
  }

  private static void bar(
      Graphics2D g,
      String label,
      Instant start,
      Instant end,
      Instant origin,
      long span,
      int y,
      Color color) {
    int x0 = x(start, origin, span);
    int x1 = Math.max(x0 + 1, x(end, origin, span));
    g.setColor(color);
    g.fillRect(x0, y, x1 - x0, BAR);
    g.setColor(Color.BLACK);
    g.drawString(label, MARGIN, y + BAR - 5);
  }
}
