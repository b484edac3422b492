package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmSelectorTest {

  private static VmSelector selector(
      Map<String, String> labels, LabelSelectorRequirement... expressions) {
    return VmSelector.of(new LabelSelector(List.of(expressions), labels));
  }

  @Test
  void emptyOrMissingSelectsEverything() {
    assertThat(VmSelector.of(null).matches(null)).isTrue();
    assertThat(selector(Map.of()).matches(Map.of("a", "b"))).isTrue();
  }

  @Test
  void matchLabelsAndExpressionsAreAnded() {
    VmSelector s =
        selector(
            Map.of("app", "db"),
            new LabelSelectorRequirement("tier", "In", List.of("gold", "silver")),
            new LabelSelectorRequirement("env", "NotIn", List.of("test")),
            new LabelSelectorRequirement("backup", "Exists", List.of()),
            new LabelSelectorRequirement("skip", "DoesNotExist", null));
    assertThat(s.matches(Map.of("app", "db", "tier", "gold", "backup", ""))).isTrue();
    assertThat(s.matches(Map.of("app", "db", "tier", "silver", "env", "prod", "backup", "y")))
        .isTrue();
    assertThat(s.matches(Map.of("app", "web", "tier", "gold", "backup", "y")))
        .as("matchLabels")
        .isFalse();
    assertThat(s.matches(Map.of("app", "db", "tier", "bronze", "backup", "y"))).as("In").isFalse();
    assertThat(s.matches(Map.of("app", "db", "backup", "y"))).as("In needs the key").isFalse();
    assertThat(s.matches(Map.of("app", "db", "tier", "gold", "env", "test", "backup", "y")))
        .as("NotIn")
        .isFalse();
    assertThat(s.matches(Map.of("app", "db", "tier", "gold"))).as("Exists").isFalse();
    assertThat(s.matches(Map.of("app", "db", "tier", "gold", "backup", "y", "skip", "1")))
        .as("DoesNotExist")
        .isFalse();
  }

  @Test
  void malformedSelectorsAreRejectedWithAReason() {
    assertThatThrownBy(
            () -> selector(null, new LabelSelectorRequirement("k", "Contains", List.of("v"))))
        .hasMessageContaining("unknown operator \"Contains\"");
    assertThatThrownBy(() -> selector(null, new LabelSelectorRequirement("k", "In", List.of())))
        .hasMessageContaining("needs values");
    assertThatThrownBy(
            () -> selector(null, new LabelSelectorRequirement("k", "Exists", List.of("v"))))
        .hasMessageContaining("takes no values");
  }
}
