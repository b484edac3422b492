package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example resource is accepted or refused by the generated CRDs (schema, defaults, list
 * types, CEL rules) exactly as it says; accepted ones also round-trip through the Java model.
 */
class ExamplesTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Map<String, Class<? extends HasMetadata>> MODEL =
      Map.of(
          "QuiescedSnapshot", QuiescedSnapshot.class,
          "QuiescedSnapshotSchedule", QuiescedSnapshotSchedule.class,
          "QuiescedSnapshotRestore", QuiescedSnapshotRestore.class);

  static Stream<Example> accepted() {
    return Stream.concat(Example.in("valid").stream(), Example.in("updates/valid").stream());
  }

  static Stream<Example> refused() {
    return Stream.concat(Example.in("invalid").stream(), Example.in("updates/invalid").stream());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void acceptedExampleHasNoViolation(Example example) {
    assertThat(example.expectations()).as("an accepted example expects nothing").isEmpty();
    assertThat(example.violations()).as(example.name()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedExampleIsRefusedForExactlyItsStatedReasons(Example example) {
    assertThat(example.expectations())
        .as(example.name() + " must state why it is refused")
        .isNotEmpty();
    List<Violation> violations = example.violations();
    for (Example.Expectation expected : example.expectations()) {
      assertThat(violations)
          .as("%s: expected %s", example.name(), expected)
          .anyMatch(expected::matches);
    }
    for (Violation violation : violations) {
      assertThat(example.expectations())
          .as("%s: unexpected violation %s", example.name(), violation)
          .anyMatch(expected -> expected.matches(violation));
    }
  }

  static List<Example> created() {
    return Example.in("valid");
  }

  /**
   * The Java model reads and writes back every field of the valid examples unchanged. (Not the
   * update examples: one sends restoreSize as an integer, which the model's Quantity writes back as
   * the equivalent string.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("created")
  void validExampleRoundTripsThroughTheJavaModel(Example example) {
    JsonNode document = example.object();
    HasMetadata model =
        SERIALIZATION.convertValue(document, MODEL.get(document.path("kind").asText()));
    // compared as text read back, so that an int and a long of the same value are equal
    JsonNode written = Json.readYaml(SERIALIZATION.asJson(model));
    assertThat(written).as(example.name()).isEqualTo(Json.readYaml(document.toString()));
  }

  @Test
  void thereAreEnoughExamplesOfEachKindAndOutcome() {
    List<Example> all = Stream.concat(accepted(), refused()).toList();
    assertThat(all).hasSizeGreaterThanOrEqualTo(25);
    for (String kind : MODEL.keySet()) {
      assertThat(accepted())
          .as("accepted " + kind)
          .anyMatch(e -> kind.equals(e.object().path("kind").asText()));
      assertThat(refused())
          .as("refused " + kind)
          .anyMatch(e -> kind.equals(e.object().path("kind").asText()));
    }
    assertThat(Example.in("updates/valid")).isNotEmpty();
    assertThat(Example.in("updates/invalid")).isNotEmpty();
  }
}
