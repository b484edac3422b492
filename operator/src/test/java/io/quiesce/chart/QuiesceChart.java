package io.quiesce.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The chart in {@code charts/quiesce}, driven through the Helm library that helm-java embeds (no
 * helm binary needed). Renders without the chart's {@code crds/} folder, which another build step
 * produces, so these tests do not depend on it.
 */
final class QuiesceChart {
  /** Release name and namespace every test renders with. */
  static final String RELEASE = "quiesce";

  static final String NAMESPACE = "quiesce-system";

  /**
   * The cluster version renders assume (the library's default, v1.20, is below the chart's
   * kubeVersion).
   */
  static final String KUBE_VERSION = "v1.31.0";

  private QuiesceChart() {}

  /**
   * The repository root: from surefire's QUIESCE_PROJECT_ROOT, else the nearest parent holding the
   * chart.
   */
  static Path projectRoot() {
    String fromBuild = System.getenv("QUIESCE_PROJECT_ROOT");
    if (fromBuild != null && Files.isRegularFile(Path.of(fromBuild, "charts/quiesce/Chart.yaml"))) {
      return Path.of(fromBuild);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("charts/quiesce/Chart.yaml"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "charts/quiesce not found above " + Path.of("").toAbsolutePath());
  }

  static Path directory() {
    return projectRoot().resolve("charts/quiesce");
  }

  /** The chart's appVersion, from Chart.yaml. */
  static String appVersion() throws IOException {
    return Yaml.read(directory().resolve("Chart.yaml")).path("appVersion").asText();
  }

  /** Values that turn every optional feature on (also used by chart-testing). */
  static Path allFeaturesValues() {
    return directory().resolve("ci/all-features-values.yaml");
  }

  /** A render with the chart's defaults, to which values and value files can be added. */
  static Render render() {
    return new Render();
  }

  /** {@code helm lint --strict} of the chart as it is. */
  static LintResult lintStrict() {
    return lintStrict(directory());
  }

  static LintResult lintStrict(Path chart) {
    return new Helm(chart).lint().strict().call();
  }

  /**
   * A copy of the chart in {@code into} whose values.yaml is the chart's values with {@code
   * overlay} merged over them, for linting with other values ({@code helm lint} of the embedded
   * library takes no values file).
   */
  static Path copyWithValues(Path overlay, Path into) throws IOException {
    Path source = directory();
    try (var paths = Files.walk(source)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = into.resolve(source.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
    Files.writeString(
        into.resolve("values.yaml"),
        Yaml.write(Yaml.merge(Yaml.read(source.resolve("values.yaml")), Yaml.read(overlay))));
    return into;
  }

  /** One {@code helm template} call. */
  static final class Render {
    private final Map<String, Object> sets = new LinkedHashMap<>();
    private Path valuesFile;
    private String releaseName = RELEASE;

    /** {@code --set key=value}. */
    Render set(String key, Object value) {
      sets.put(key, value);
      return this;
    }

    /** {@code -f file}. */
    Render values(Path file) {
      this.valuesFile = file;
      return this;
    }

    Render releaseName(String name) {
      this.releaseName = name;
      return this;
    }

    /** The rendered manifests as Helm prints them. */
    String manifests() {
      TemplateCommand template =
          new Helm(directory())
              .template()
              .withName(releaseName)
              .withNamespace(NAMESPACE)
              .withKubeVersion(KUBE_VERSION)
              .skipCrds();
      if (valuesFile != null) {
        template.withValuesFile(valuesFile);
      }
      sets.forEach(template::set);
      return template.call();
    }

    /** The rendered manifests, each parsed into its fabric8 model class. */
    RenderedChart objects() {
      return RenderedChart.parse(manifests());
    }
  }
}
