package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every property of both schemas is described, so {@code kubectl explain} documents the whole API.
 * The descriptions come from {@code @JsonPropertyDescription}: the crd-generator reads Jackson
 * metadata from compiled classes and never sees Javadoc.
 */
class CrdDescriptionsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"QuiescedSnapshot", "QuiescedSnapshotSchedule", "QuiescedSnapshotRestore"})
  void everyPropertyHasADescription(String kind) {
    JsonNode schema = GeneratedCrds.schema(GeneratedCrds.byKind(kind));
    List<String> properties = new ArrayList<>();
    List<String> undescribed = new ArrayList<>();
    SchemaWalk.visit(
        schema,
        "",
        (path, node) ->
            node.path("properties")
                .fields()
                .forEachRemaining(
                    p -> {
                      String property = path.isEmpty() ? p.getKey() : path + "." + p.getKey();
                      properties.add(property);
                      if (p.getValue().path("description").asText().isBlank()) {
                        undescribed.add(property);
                      }
                    }));
    assertThat(properties).as("properties walked").hasSizeGreaterThan(20);
    assertThat(undescribed).as(kind + " properties without a description").isEmpty();
  }
}
