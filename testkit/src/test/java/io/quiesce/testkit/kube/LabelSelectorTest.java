package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Label selector strings, as {@code kubectl -l} and fabric8 write them. */
class LabelSelectorTest {

  private static final Map<String, String> LABELS = Map.of("tier", "gold", "app", "db");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "tier=gold; true",
        "tier==gold; true",
        "tier!=gold; false",
        "tier!=silver; true",
        "missing!=x; true",
        "app; true",
        "!app; false",
        "!missing; true",
        "tier in (gold,silver); true",
        "tier in (silver); false",
        "missing in (gold); false",
        "tier notin (silver, bronze); true",
        "tier notin (gold); false",
        "missing notin (gold); true",
        "tier in (gold,silver),app=db,!missing; true",
        "tier in (gold,silver),app=web; false",
      })
  void evaluatesEveryKindOfRequirement(String selector, boolean expected) {
    Predicate<Map<String, String>> matches = LabelSelector.parse(selector);

    assertThat(matches.test(LABELS)).isEqualTo(expected);
  }
}
