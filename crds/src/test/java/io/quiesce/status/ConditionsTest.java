package io.quiesce.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.123Z");
  private static final Instant T1 = Instant.parse("2026-11-25T10:05:00Z");
  private final List<Condition> conditions = new ArrayList<>();

  @Test
  void addsAConditionWithAllFields() {
    assertThat(Conditions.set(conditions, "Ready", "False", "Freezing", "freezing db-01", 3L, T0))
        .isTrue();

    Condition c = conditions.get(0);
    assertThat(c.getType()).isEqualTo("Ready");
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("Freezing");
    assertThat(c.getMessage()).isEqualTo("freezing db-01");
    assertThat(c.getObservedGeneration()).isEqualTo(3L);
    assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
  }

  @Test
  void transitionTimeMovesOnlyOnFlips() {
    Conditions.set(conditions, "Ready", "False", "Freezing", "a", 1L, T0);

    assertThat(Conditions.set(conditions, "Ready", "False", "WaitingForCut", "b", 1L, T1)).isTrue();
    assertThat(conditions.get(0).getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");

    assertThat(Conditions.set(conditions, "Ready", "True", "Succeeded", "c", 1L, T1)).isTrue();
    assertThat(conditions.get(0).getLastTransitionTime()).isEqualTo("2026-11-25T10:05:00Z");
    assertThat(conditions).hasSize(1);
  }

  @Test
  void reportsNoChangeWhenNothingChanged() {
    Conditions.set(conditions, "Ready", "True", "Succeeded", "done", 1L, T0);

    assertThat(Conditions.set(conditions, "Ready", "True", "Succeeded", "done", 1L, T1)).isFalse();
    assertThat(Conditions.set(conditions, "Ready", "True", "Succeeded", "done", 2L, T1)).isTrue();
  }

  @Test
  void keepsOneEntryPerType() {
    Conditions.set(conditions, "Ready", "False", "Freezing", null, 1L, T0);
    Conditions.set(conditions, "Progressing", "True", "Freezing", null, 1L, T0);
    Conditions.set(conditions, "Ready", "True", "Succeeded", null, 1L, T1);

    assertThat(conditions).extracting(Condition::getType).containsExactly("Ready", "Progressing");
    assertThat(Conditions.isTrue(conditions, "Ready")).isTrue();
    assertThat(Conditions.isTrue(conditions, "Failed")).isFalse();
  }

  @Test
  void rejectsMalformedStatusAndReason() {
    assertThatThrownBy(() -> Conditions.set(conditions, "Ready", "yes", "Ok", null, 1L, T0))
        .hasMessageContaining("True, False or Unknown");
    assertThatThrownBy(() -> Conditions.set(conditions, "Ready", "True", "not camel", null, 1L, T0))
        .hasMessageContaining("CamelCase");
    assertThat(conditions).isEmpty();
  }

  @Test
  void aGuestSizedMessageIsStrippedAndBounded() {
    Conditions.set(
        conditions,
        "Failed",
        "True",
        "FreezeFailed",
        "agent: \u001b[2J" + "e".repeat(500_000),
        1L,
        T0);

    String message = conditions.get(0).getMessage();
    assertThat(message.length()).isEqualTo(BoundedText.MAX_MESSAGE);
    assertThat(message).startsWith("agent: [2J").doesNotContain("\u001b");
    assertThat(
            Conditions.set(
                conditions,
                "Failed",
                "True",
                "FreezeFailed",
                "agent: \u001b[2J" + "e".repeat(500_000),
                1L,
                T1))
        .as("the same long message again is no change")
        .isFalse();
  }
}
