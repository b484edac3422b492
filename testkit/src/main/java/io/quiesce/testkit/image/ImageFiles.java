package io.quiesce.testkit.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the image tests find the repository's files: the Dockerfiles, the shaded jars, the chart's
 * values.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /**
   * The repository root: the build's QUIESCE_PROJECT_ROOT, else the nearest parent holding the
   * chart.
   */
  public static Path projectRoot() {
    String fromBuild = System.getenv("QUIESCE_PROJECT_ROOT");
    if (fromBuild != null && !fromBuild.isBlank()) {
      return Path.of(fromBuild).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("charts/quiesce"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the repository root; set QUIESCE_PROJECT_ROOT");
  }

  /** {@code <component>/Dockerfile}, read. */
  public static DockerfileFacts dockerfile(String component) {
    return DockerfileFacts.read(projectRoot().resolve(component).resolve("Dockerfile"));
  }

  /** {@code <component>/target/<component>.jar}, which must have been packaged. */
  public static Path shadedJar(String component) {
    Path jar = projectRoot().resolve(component).resolve("target").resolve(component + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: these tests run after 'package' (mvn verify)");
    }
    return jar;
  }

  /** The chart's default values ({@code charts/quiesce/values.yaml}). */
  private static JsonNode chartValues() {
    try {
      return new ObjectMapper(new YAMLFactory())
          .readTree(projectRoot().resolve("charts/quiesce/values.yaml").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A component's default {@code jvmFlags} from the chart ({@code operator} or {@code nodeHelper}).
   */
  public static List<String> chartJvmFlags(String valuesKey) {
    List<String> flags = new ArrayList<>();
    chartValues().path(valuesKey).path("jvmFlags").forEach(flag -> flags.add(flag.asText()));
    if (flags.isEmpty()) {
      throw new IllegalStateException("no " + valuesKey + ".jvmFlags in the chart's values.yaml");
    }
    return flags;
  }
}
