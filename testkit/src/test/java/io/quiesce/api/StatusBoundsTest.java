package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every string in a status has a {@code maxLength} (enums excepted), so that no writer, however
 * long the text it quotes, can grow the object past what the API server stores.
 */
class StatusBoundsTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"QuiescedSnapshot", "QuiescedSnapshotSchedule", "QuiescedSnapshotRestore"})
  void everyFreeTextStatusFieldHasAMaxLength(String kind) {
    JsonNode status = GeneratedCrds.schema(GeneratedCrds.byKind(kind)).at("/properties/status");
    assertThat(status.isObject()).isTrue();
    List<String> unbounded = new ArrayList<>();
    List<String> strings = new ArrayList<>();
    SchemaWalk.visit(
        status,
        "status",
        (path, node) -> {
          if ("string".equals(node.path("type").asText()) && !node.has("enum")) {
            strings.add(path);
            if (!node.has("maxLength")) {
              unbounded.add(path);
            }
          }
        });
    assertThat(strings).as("the walk found the status strings").isNotEmpty();
    assertThat(unbounded).as("status strings without maxLength").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/properties/freeze/properties/error",
        "/properties/volumeSnapshots/items/properties/error"
      })
  void errorsAreBoundedToOneKiB(String pointer) {
    JsonNode status = GeneratedCrds.schema(GeneratedCrds.snapshot()).at("/properties/status");
    assertThat(status.at(pointer + "/maxLength").asInt()).isEqualTo(1024);
  }
}
