package io.quiesce.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads values out of a Prometheus text-format scrape. */
public final class PrometheusText {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s+(\\S+)", Pattern.MULTILINE);

  private PrometheusText() {}

  /**
   * The sum of the samples of a metric whose labels contain {@code label="value"} (e.g. the heap
   * pools of {@code jvm_memory_used_bytes} with {@code area="heap"}).
   *
   * @throws IllegalArgumentException when no sample matches
   */
  public static double sum(String scrape, String metric, String label, String value) {
    Matcher m = SAMPLE.matcher(scrape);
    String wanted = label + "=\"" + value + "\"";
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      String labels = m.group(3) == null ? "" : m.group(3);
      if (m.group(1).equals(metric)
          && (labels.startsWith(wanted) || labels.contains("," + wanted))) {
        sum += Double.parseDouble(m.group(4));
        found = true;
      }
    }
    if (!found) {
      throw new IllegalArgumentException(
          "no sample of " + metric + "{" + wanted + "} in the scrape");
    }
    return sum;
  }
}
