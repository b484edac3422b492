package io.quiesce.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one benchmark phase writes to {@code <out>/<phase>.json}: its figures (fixed keys per
 * phase), its table rows, and whether it succeeded.
 *
 * @param phase the phase's name
 * @param ok false when the phase failed; then {@code error} says why
 * @param figures the phase's measured values under keys that stay the same from run to run
 * @param rows the lines it adds to the table
 * @param error why it failed, or null
 */
public record PhaseResult(
    String phase, boolean ok, Map<String, Object> figures, List<BenchRow> rows, String error) {

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(
              DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // the derived "ratio" of each row

  /** A phase that measured what it should. */
  public static PhaseResult ok(String phase, Map<String, Object> figures, List<BenchRow> rows) {
    return new PhaseResult(phase, true, figures, rows, null);
  }

  /** A phase that failed. */
  public static PhaseResult failed(String phase, Throwable cause) {
    return new PhaseResult(phase, false, Map.of(), List.of(), String.valueOf(cause));
  }

  /** Writes {@code <dir>/<phase>.json}. */
  public void write(Path dir) throws IOException {
    JSON.writeValue(dir.resolve(phase + ".json").toFile(), this);
  }

  /** Reads what a phase wrote. */
  public static PhaseResult read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), PhaseResult.class);
  }
}
