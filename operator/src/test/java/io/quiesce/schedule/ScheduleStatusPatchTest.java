package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import org.junit.jupiter.api.Test;

class ScheduleStatusPatchTest {

  @Test
  void carriesOnlyOwnedFieldsWithExplicitNullsForUnsetOnes() throws Exception {
    QuiescedSnapshotScheduleStatus status = new QuiescedSnapshotScheduleStatus();
    status.setLastScheduleTime("2026-03-02T11:00:00Z");
    status.setObservedGeneration(3L);
    JsonNode patch = Serialization.jsonMapper().readTree(ScheduleStatusPatch.body(status));
    assertThat(patch.fieldNames()).toIterable().containsExactly("status");
    JsonNode s = patch.get("status");
    assertThat(s.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrderElementsOf(ScheduleStatusPatch.OWNED_FIELDS);
    assertThat(s.get("lastScheduleTime").asText()).isEqualTo("2026-03-02T11:00:00Z");
    assertThat(s.get("observedGeneration").asLong()).isEqualTo(3);
    assertThat(s.get("nextScheduleTime").isNull())
        .as("a cleared field is removed, not kept")
        .isTrue();
    assertThat(s.get("conditions").isNull()).isTrue();
  }
}
