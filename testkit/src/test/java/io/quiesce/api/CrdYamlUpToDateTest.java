package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD YAML committed under {@code crds/} (for {@code kubectl apply -f crds/}) and {@code
 * charts/quiesce/crds/} (for Helm) is exactly what this build generated.
 */
class CrdYamlUpToDateTest {
  private static final String FIX = "run hack/update-crds.sh and commit the result";
  private static final List<String> COPIES = List.of("crds", "charts/quiesce/crds");

  static Stream<String> committedCopies() {
    return COPIES.stream()
        .flatMap(dir -> GeneratedCrds.NAMES.stream().map(name -> dir + "/" + name + ".yaml"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("committedCopies")
  void committedCopyIsWhatTheBuildGenerated(String relativePath) throws IOException {
    Path committed = projectRoot().resolve(relativePath);
    String crdName = committed.getFileName().toString().replaceFirst("\\.yaml$", "");
    assertThat(committed).as("%s is missing: %s", relativePath, FIX).exists();
    assertThat(Files.readString(committed))
        .as(
            "%s differs from the CRD the build generated (crds/target/classes/%s%s): %s",
            relativePath, GeneratedCrds.GENERATED_DIR, GeneratedCrds.fileName(crdName), FIX)
        .isEqualTo(GeneratedCrds.text(crdName));
  }

  @Test
  void noOtherCrdIsCommitted() throws IOException {
    for (String dir : COPIES) {
      try (Stream<Path> files = Files.list(projectRoot().resolve(dir))) {
        List<String> yaml =
            files
                .map(f -> f.getFileName().toString())
                .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml") || f.endsWith(".json"))
                .sorted()
                .toList();
        assertThat(yaml)
            .as("CRD files in %s (stale ones: %s)", dir, FIX)
            .containsExactlyElementsOf(
                GeneratedCrds.NAMES.stream().map(n -> n + ".yaml").sorted().toList());
      }
    }
  }

  /** Only the quiesce.io kinds become CRDs; models of external kinds in this module do not. */
  @Test
  void theBuildGeneratesExactlyTheQuiesceCrds() throws IOException, URISyntaxException {
    URI generated =
        Objects.requireNonNull(getClass().getClassLoader().getResource(GeneratedCrds.GENERATED_DIR))
            .toURI();
    // the crds module's classes directory, or its jar when the build packaged it
    try (FileSystem jar =
            "jar".equals(generated.getScheme())
                ? FileSystems.newFileSystem(generated, Map.of())
                : null;
        Stream<Path> files = Files.list(Path.of(generated))) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
          .containsExactlyElementsOf(
              GeneratedCrds.NAMES.stream().map(GeneratedCrds::fileName).sorted().toList());
    }
  }

  /** The checkout root: set by the parent pom for every test run, else found from the module. */
  private static Path projectRoot() {
    String fromBuild = System.getenv("QUIESCE_PROJECT_ROOT");
    Path start = fromBuild != null ? Path.of(fromBuild) : Path.of("").toAbsolutePath();
    for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("hack/update-crds.sh"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no hack/update-crds.sh above " + start);
  }
}
