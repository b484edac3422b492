package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The generated CRDs have the names, columns, subresources and defaults the API promises. */
class CrdShapeTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "QuiescedSnapshot, quiescedsnapshots, qsnap",
    "QuiescedSnapshotSchedule, quiescedsnapshotschedules, qsched",
    "QuiescedSnapshotRestore, quiescedsnapshotrestores, qrestore"
  })
  void namesScopeVersionAndStatusSubresource(String kind, String plural, String shortName) {
    JsonNode crd = GeneratedCrds.byKind(kind);
    assertThat(crd.at("/metadata/name").asText()).isEqualTo(plural + ".quiesce.io");
    assertThat(crd.at("/spec/group").asText()).isEqualTo("quiesce.io");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    assertThat(texts(crd.at("/spec/names/shortNames"))).containsExactly(shortName);
    assertThat(texts(crd.at("/spec/names/categories"))).containsExactly("quiesce");
    assertThat(crd.at("/spec/versions")).hasSize(1);
    JsonNode version = crd.at("/spec/versions/0");
    assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.path("served").asBoolean()).isTrue();
    assertThat(version.path("storage").asBoolean()).isTrue();
    assertThat(version.at("/subresources/status").isObject()).as("status subresource").isTrue();
  }

  /** In the order the annotations on the class list them, as kubectl shows them: Age last. */
  @Test
  void snapshotPrinterColumns() {
    assertThat(columns(GeneratedCrds.snapshot()))
        .containsExactly(
            tuple("VM", ".spec.source", "string"),
            tuple("Phase", ".status.phase", "string"),
            tuple("Consistency", ".status.consistency", "string"),
            tuple("Frozen-ms", ".status.freeze.durationMs", "integer"),
            tuple("Age", ".metadata.creationTimestamp", "date"));
  }

  @Test
  void schedulePrinterColumns() {
    assertThat(columns(GeneratedCrds.schedule()))
        .containsExactly(
            tuple("Schedule", ".spec.schedule", "string"),
            tuple("TimeZone", ".spec.timeZone", "string"),
            tuple("Suspend", ".spec.suspend", "boolean"),
            tuple("Last", ".status.lastScheduleTime", "date"),
            tuple("Next", ".status.nextScheduleTime", "date"),
            tuple("Age", ".metadata.creationTimestamp", "date"));
  }

  @Test
  void restorePrinterColumns() {
    assertThat(columns(GeneratedCrds.restore()))
        .containsExactly(
            tuple("Snapshot", ".spec.source", "string"),
            tuple("Target", ".status.targetVM", "string"),
            tuple("Phase", ".status.phase", "string"),
            tuple("Reason", ".status.reason", "string"),
            tuple("Age", ".metadata.creationTimestamp", "date"));
  }

  /** The header of {@code kubectl get}: NAME, then the printer columns in their exact order. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "QuiescedSnapshot | NAME VM PHASE CONSISTENCY FROZEN-MS AGE",
        "QuiescedSnapshotSchedule | NAME SCHEDULE TIMEZONE SUSPEND LAST NEXT AGE",
        "QuiescedSnapshotRestore | NAME SNAPSHOT TARGET PHASE REASON AGE"
      })
  void kubectlGetShowsTheColumnsInDeclaredOrderWithAgeLast(String kind, String header) {
    List<String> names = new ArrayList<>(List.of("NAME"));
    GeneratedCrds.byKind(kind)
        .at("/spec/versions/0/additionalPrinterColumns")
        .forEach(c -> names.add(c.path("name").asText().toUpperCase(Locale.ROOT)));
    assertThat(String.join(" ", names)).isEqualTo(header);
  }

  @Test
  void everyPrinterColumnPointsAtAFieldOfTheSchema() {
    for (JsonNode crd : GeneratedCrds.all()) {
      for (JsonNode column : crd.at("/spec/versions/0/additionalPrinterColumns")) {
        String path = column.path("jsonPath").asText();
        if (path.startsWith(".metadata.")) {
          continue;
        }
        JsonNode at = GeneratedCrds.schema(crd);
        for (String field : path.substring(1).split("\\.")) {
          at = at.path("properties").path(field);
        }
        assertThat(at.isMissingNode()).as(path).isFalse();
      }
    }
  }

  @ParameterizedTest(name = "{0} {1} defaults to {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "QuiescedSnapshot | spec.quiesce | {}",
        "QuiescedSnapshot | spec.quiesce.mode | \"Required\"",
        "QuiescedSnapshot | spec.quiesce.timeout | \"5s\"",
        "QuiescedSnapshot | spec.deletionPolicy | \"Delete\"",
        "QuiescedSnapshot | spec.failureDeadline | \"5m\"",
        "QuiescedSnapshotSchedule | spec.timeZone | \"UTC\"",
        "QuiescedSnapshotSchedule | spec.template | {}",
        "QuiescedSnapshotSchedule | spec.template.spec | {}",
        "QuiescedSnapshotSchedule | spec.template.spec.quiesce.mode | \"Required\"",
        "QuiescedSnapshotSchedule | spec.retention | {}",
        "QuiescedSnapshotSchedule | spec.retention.failedHistoryLimit | 3",
        "QuiescedSnapshotSchedule | spec.concurrencyPolicy | \"Forbid\"",
        "QuiescedSnapshotSchedule | spec.suspend | false",
        "QuiescedSnapshotRestore | spec.target.newVM.runStrategy | \"Halted\"",
        "QuiescedSnapshotRestore | spec.target.inPlace.stopVM | false",
        "QuiescedSnapshotRestore | spec.target.inPlace.previousVolumes | \"Keep\""
      })
  void defaultIsDeclared(String kind, String field, String json) {
    JsonNode at = GeneratedCrds.schema(GeneratedCrds.byKind(kind));
    for (String name : field.split("\\.")) {
      at = at.path("properties").path(name);
    }
    assertThat(at.get("default")).as(kind + " " + field).isEqualTo(Json.readYaml(json));
  }

  @Test
  void minimalSnapshotIsDefaultedToTheDocumentedSpec() {
    JsonNode defaulted =
        CrdValidator.defaulted(
            Json.readYaml(
                """
                apiVersion: quiesce.io/v1alpha1
                kind: QuiescedSnapshot
                metadata: {name: s}
                spec: {source: vm-1}
                """));
    assertThat(defaulted.get("spec"))
        .isEqualTo(
            Json.readYaml(
                """
                source: vm-1
                quiesce: {mode: Required, timeout: 5s}
                deletionPolicy: Delete
                volumeGroup: Auto
                failureDeadline: 5m
                """));
  }

  @Test
  void minimalScheduleIsDefaultedToTheDocumentedSpec() {
    JsonNode defaulted =
        CrdValidator.defaulted(
            Json.readYaml(
                """
                apiVersion: quiesce.io/v1alpha1
                kind: QuiescedSnapshotSchedule
                metadata: {name: s}
                spec: {schedule: "@daily", vmSelector: {}}
                """));
    assertThat(defaulted.get("spec"))
        .isEqualTo(
            Json.readYaml(
                """
                schedule: "@daily"
                vmSelector: {}
                timeZone: UTC
                grouping: PerVM
                template:
                  spec:
                    quiesce: {mode: Required, timeout: 5s}
                    deletionPolicy: Delete
                    volumeGroup: Auto
                    failureDeadline: 5m
                retention: {failedHistoryLimit: 3}
                concurrencyPolicy: Forbid
                suspend: false
                """));
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  private static List<org.assertj.core.groups.Tuple> columns(JsonNode crd) {
    List<org.assertj.core.groups.Tuple> columns = new ArrayList<>();
    crd.at("/spec/versions/0/additionalPrinterColumns")
        .forEach(
            c ->
                columns.add(
                    tuple(
                        c.path("name").asText(),
                        c.path("jsonPath").asText(),
                        c.path("type").asText())));
    return columns;
  }
}
