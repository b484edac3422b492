package io.quiesce.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM flags the Helm chart passes to a component ({@code <component>.jvmFlags}, component
 * {@code operator} or {@code nodeHelper}, in {@code charts/quiesce/values.yaml}), read from the
 * chart so a benchmark runs what users run.
 */
public final class ChartJvmFlags {
  /**
   * Flags the chart's template puts before a component's {@code jvmFlags}, whatever the values say:
   * the node helper opens sockets through Java 17's foreign linker (node-helper's {@code
   * PinnedSocket.JVM_FLAGS}; ChartDefaultsTest holds the three lists equal).
   */
  static final Map<String, List<String>> FIXED =
      Map.of(
          "nodeHelper",
          List.of("--add-modules=jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED"));

  private ChartJvmFlags() {}

  /**
   * Prints the flags one per line, for scripts: {@code ChartJvmFlags <values.yaml> <component>}.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ChartJvmFlags <values.yaml> <operator|nodeHelper>");
      System.exit(2);
    }
    of(Path.of(args[0]), args[1]).forEach(System.out::println);
  }

  /**
   * The flags the chart's command passes: the fixed ones, then {@code <component>.jvmFlags}.
   *
   * @param values the chart's values.yaml
   * @param component {@code operator} or {@code nodeHelper}
   * @throws IllegalArgumentException when the values have no such list of strings
   */
  public static List<String> of(Path values, String component) throws IOException {
    JsonNode flags = read(values).path(component).path("jvmFlags");
    if (!flags.isArray()) {
      throw new IllegalArgumentException(values + " has no list " + component + ".jvmFlags");
    }
    List<String> out = new ArrayList<>(FIXED.getOrDefault(component, List.of()));
    for (JsonNode flag : flags) {
      if (!flag.isTextual() || !flag.asText().startsWith("-")) {
        throw new IllegalArgumentException(component + ".jvmFlags holds a non-flag: " + flag);
      }
      out.add(flag.asText());
    }
    return List.copyOf(out);
  }

  /**
   * {@code -XX:MaxRAM=<bytes>} for the component's container memory limit ({@code
   * <component>.resources.limits.memory}): what the JVM sizes its heap from inside the container,
   * so that a process on a bigger host sizes itself as in the cluster.
   *
   * @throws IllegalArgumentException when the chart sets no such limit or one not in Mi/Gi
   */
  public static String containerMaxRam(Path values, String component) throws IOException {
    return maxRam(memoryLimit(values, component));
  }

  /** The component's container memory limit ({@code <component>.resources.limits.memory}). */
  public static String memoryLimit(Path values, String component) throws IOException {
    return read(values).path(component).path("resources").path("limits").path("memory").asText("");
  }

  /**
   * {@code -XX:MaxRAM=<bytes>} for a container memory limit such as {@code 448Mi}.
   *
   * @throws IllegalArgumentException when the limit is not in Mi/Gi
   */
  public static String maxRam(String limit) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(Mi|Gi)").matcher(limit);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "a memory limit must be n Mi or n Gi, not '" + limit + "'");
    }
    long bytes = Long.parseLong(m.group(1)) << (m.group(2).equals("Mi") ? 20 : 30);
    return "-XX:MaxRAM=" + bytes;
  }

  private static JsonNode read(Path values) throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(values.toFile());
  }
}
