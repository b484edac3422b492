package io.quiesce.bench;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The node helper's class list ({@code node-helper/src/main/cds/node-helper.classlist}), from which
 * node-helper/Dockerfile dumps the image's class-data archive: the output of {@code
 * -XX:DumpLoadedClassList} without its {@code @lambda-form-invoker} lines.
 */
final class HelperClassList {
  /**
   * The lines the committed list leaves out: they make the dump regenerate {@code java.lang.invoke}
   * classes that have no class file, and on 17.0.15 a JVM with a JFR recording (the class-file load
   * hook) crashed loading one of them from the archive.
   */
  static final String REGENERATED = "@lambda-form-invoker";

  private HelperClassList() {}

  /** {@code lines} without the {@link #REGENERATED} ones. */
  static List<String> withoutRegeneratedLines(List<String> lines) {
    return lines.stream().filter(l -> !l.startsWith(REGENERATED)).toList();
  }

  /**
   * The named classes of a class list (slash-separated names): no comments, no {@code @} lines, and
   * no generated classes (lambdas, proxies), whose names change from run to run.
   */
  static Set<String> classNames(List<String> lines) {
    Set<String> names = new TreeSet<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#") || line.startsWith("@")) {
        continue;
      }
      String name = line.split("\\s+", 2)[0];
      if (!name.contains("$$Lambda") && !name.contains("$Proxy") && !name.contains("/0x")) {
        names.add(name);
      }
    }
    return names;
  }
}
