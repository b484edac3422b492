package io.quiesce.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Joins what the phases of {@code hack/bench.sh} wrote into {@code bench.json} (schema {@value
 * #SCHEMA}: the same keys on every run) and {@code bench.md} (a markdown table), prints the table,
 * and exits 1 when a phase failed or did not run.
 *
 * <p>Usage: {@code BenchReport <out dir> <command line>}
 */
public final class BenchReport {

  static final String SCHEMA = "quiesce.io/bench/v1";
  static final List<String> PHASES = List.of("freeze-window", "requests", "scale", "footprint");

  private BenchReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: BenchReport <out dir> <command line>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    List<PhaseResult> phases = new ArrayList<>();
    for (String phase : PHASES) {
      Path file = dir.resolve(phase + ".json");
      phases.add(
          Files.exists(file)
              ? PhaseResult.read(file)
              : PhaseResult.failed(phase, new IllegalStateException("the phase did not run")));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("schema", SCHEMA);
    report.put("command", args[1]);
    report.put("generatedAt", Instant.now().toString());
    report.put("cpus", Runtime.getRuntime().availableProcessors());
    // the machine may be shared: the figures are read against its load when the report was made
    report.put("loadAverage", loadAverage());
    report.put("ok", phases.stream().allMatch(PhaseResult::ok));
    report.put("phases", phases);
    PhaseResult.JSON.writeValue(dir.resolve("bench.json").toFile(), report);
    String table = markdown(phases);
    Files.writeString(dir.resolve("bench.md"), table);
    System.out.print(table);
    phases.stream()
        .filter(p -> !p.ok())
        .forEach(p -> System.err.println("FAILED " + p.phase() + ": " + p.error()));
    System.exit(phases.stream().allMatch(PhaseResult::ok) ? 0 : 1);
  }

  /** The markdown table of every phase's rows; a failed phase gets one row saying so. */
  static String markdown(List<PhaseResult> phases) {
    StringBuilder md =
        new StringBuilder(
            "| phase | figure | Quiesce | baseline | ratio | how |\n|---|---|---:|---:|---:|---|\n");
    for (PhaseResult phase : phases) {
      if (!phase.ok()) {
        md.append("| ")
            .append(phase.phase())
            .append(" | FAILED | | | | ")
            .append(cell(phase.error()))
            .append(" |\n");
        continue;
      }
      for (BenchRow row : phase.rows()) {
        md.append("| ")
            .append(row.phase())
            .append(" | ")
            .append(cell(row.figure()))
            .append(" | ")
            .append(number(row.quiesce()))
            .append(" | ")
            .append(row.baseline() == null ? "" : number(row.baseline()))
            .append(" | ")
            .append(row.ratio() == null ? "" : String.format(Locale.ROOT, "x%.2f", row.ratio()))
            .append(" | ")
            .append(cell(row.note()))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }

  /** The 1, 5 and 15 minute load averages of /proc/loadavg, or null where there is none. */
  public static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
