package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The CRDs the crd-generator wrote into {@code target/classes/META-INF/fabric8/} in this build,
 * read from the test classpath.
 */
final class GeneratedCrds {
  static final String GENERATED_DIR = "META-INF/fabric8/";
  static final List<String> NAMES =
      List.of(
          "quiescedsnapshots.quiesce.io",
          "quiescedsnapshotschedules.quiesce.io",
          "quiescedsnapshotrestores.quiesce.io");

  private static final Map<String, JsonNode> BY_KIND =
      NAMES.stream()
          .map(GeneratedCrds::load)
          .collect(
              Collectors.toMap(crd -> crd.at("/spec/names/kind").asText(), Function.identity()));

  private GeneratedCrds() {}

  /** The generated file name for a CRD name (the generator's naming). */
  static String fileName(String crdName) {
    return crdName + "-v1.yml";
  }

  static String text(String crdName) {
    String resource = GENERATED_DIR + fileName(crdName);
    try (InputStream in = GeneratedCrds.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is not on the test classpath: did the crd-generator run?");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode byKind(String kind) {
    JsonNode crd = BY_KIND.get(kind);
    if (crd == null) {
      throw new IllegalArgumentException("no quiesce.io CRD for kind " + kind);
    }
    return crd;
  }

  static JsonNode snapshot() {
    return byKind(QuiescedSnapshot.class.getSimpleName());
  }

  static JsonNode schedule() {
    return byKind(QuiescedSnapshotSchedule.class.getSimpleName());
  }

  static JsonNode restore() {
    return byKind(QuiescedSnapshotRestore.class.getSimpleName());
  }

  /** Every quiesce.io CRD. */
  static List<JsonNode> all() {
    return List.of(snapshot(), schedule(), restore());
  }

  /** The openAPIV3Schema of the CRD's only version. */
  static JsonNode schema(JsonNode crd) {
    return crd.at("/spec/versions/0/schema/openAPIV3Schema");
  }

  private static JsonNode load(String crdName) {
    return Json.readYaml(text(crdName));
  }
}
